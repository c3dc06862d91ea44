// The viewer's allow-list and its mapping to DevTools input: protocol commands and unknown fields are
// refused, coordinates are clamped to the viewport, and each control drops what it must.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isolationControlsSchema } from '../config/schema/isolation.ts';
import { mapInput, shortcutOf } from './input-mapper.ts';
import { parseViewerMessage, type ViewerMessage } from './viewer-messages.ts';

const controls = isolationControlsSchema.parse({});
const vp = { width: 800, height: 600 };
const msg = (o: unknown): ViewerMessage => {
  const r = parseViewerMessage(JSON.stringify(o));
  assert.ok(r.ok, JSON.stringify(r));
  return r.msg;
};

test('DevTools commands, unknown types and extra fields from a viewer are refused', () => {
  for (const bad of [
    { method: 'Runtime.evaluate', params: { expression: '1' } },
    { t: 'cdp', method: 'Page.navigate' },
    { t: 'mouse', a: 'down', x: 1, y: 1, method: 'Runtime.evaluate' },
    { t: 'key', a: 'down', key: 'a', code: 'Key A; drop', kc: 65 },
    { t: 'text', s: 'x'.repeat(1001) },
  ]) assert.equal(parseViewerMessage(JSON.stringify(bad)).ok, false, JSON.stringify(bad));
  assert.equal(parseViewerMessage('{not json').ok, false);
});

test('coordinates and wheel deltas are clamped to the viewport', () => {
  const r = mapInput(msg({ t: 'mouse', a: 'down', x: 1e6, y: -50, b: 'left' }) as never, vp, controls, 100);
  assert.equal(r.kind, 'send');
  const p = r.kind === 'send' ? r.commands[0]!.params : {};
  assert.equal(p.x, 799);
  assert.equal(p.y, 0);
  const w = mapInput(msg({ t: 'wheel', x: 5, y: 5, dx: 0, dy: 1e6 }) as never, vp, controls, 100);
  assert.equal(w.kind === 'send' ? w.commands[0]!.params.deltaY : null, 10_000);
});

test('keyboard deny drops keys and text; the mouse still works', () => {
  const c = { ...controls, keyboard: 'deny' as const };
  assert.equal(mapInput(msg({ t: 'text', s: 'hi' }) as never, vp, c, 100).kind, 'drop');
  assert.equal(mapInput(msg({ t: 'key', a: 'down', key: 'Enter', code: 'Enter', kc: 13 }) as never, vp, c, 100).kind, 'drop');
  assert.equal(mapInput(msg({ t: 'mouse', a: 'down', x: 1, y: 1, b: 'left' }) as never, vp, c, 100).kind, 'send');
});

test('paste: allow takes the device clipboard (capped); remote-only forwards only the keystroke; deny drops both', () => {
  const ctrlV = msg({ t: 'key', a: 'down', key: 'v', code: 'KeyV', kc: 86, mods: 2 });
  const paste = msg({ t: 'paste', s: 'from device' });
  assert.deepEqual(mapInput(ctrlV as never, vp, { ...controls, paste: 'remote-only' }, 100).action, 'paste', 'a remote-only paste is still a paste (audited)');
  assert.deepEqual(mapInput(ctrlV as never, vp, { ...controls, paste: 'allow' }, 100), { kind: 'drop', reason: 'the paste arrives as the device\'s paste event' }, 'not a blocked paste under allow');
  assert.equal(mapInput(paste as never, vp, { ...controls, paste: 'remote-only' }, 100).kind, 'drop');
  assert.equal(mapInput(paste as never, vp, { ...controls, paste: 'allow' }, 100).kind, 'send');
  assert.equal(mapInput(paste as never, vp, { ...controls, paste: 'allow' }, 5).kind, 'drop');
  assert.deepEqual(mapInput(ctrlV as never, vp, { ...controls, paste: 'deny' }, 100), { kind: 'drop', reason: 'paste keystroke (paste: deny)', action: 'paste' });
  assert.equal(mapInput(msg({ t: 'mouse', a: 'down', x: 1, y: 1, b: 'middle' }) as never, vp, controls, 100).kind, 'drop');
});

test('copy deny drops Ctrl+C and Ctrl+X; print shortcuts are never forwarded (the session prints like the button)', () => {
  assert.equal(shortcutOf('c', 'KeyC', 2), 'copy');
  assert.equal(shortcutOf('Insert', 'Insert', 8), 'paste');
  assert.equal(shortcutOf('p', 'KeyP', 4), 'print');
  assert.equal(shortcutOf('c', 'KeyC', 0), null);
  const ctrlX = msg({ t: 'key', a: 'down', key: 'x', code: 'KeyX', kc: 88, mods: 2 });
  assert.equal(mapInput(ctrlX as never, vp, { ...controls, copy: 'deny' }, 100).kind, 'drop');
  const r = mapInput(ctrlX as never, vp, { ...controls, copy: 'allow' }, 100);
  assert.equal(r.kind === 'send' ? r.action : null, 'copy');
  const ctrlP = msg({ t: 'key', a: 'down', key: 'p', code: 'KeyP', kc: 80, mods: 2 });
  for (const print of ['allow', 'deny'] as const) {
    const p = mapInput(ctrlP as never, vp, { ...controls, print }, 100);
    assert.deepEqual([p.kind, p.action], ['drop', 'print'], `Ctrl+P under print: ${print}`);
  }
});
