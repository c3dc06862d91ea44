// Turns validated viewer input into DevTools Input commands under the session's controls. Pure.
// Owns: coordinate clamping to the viewport, shortcut classification (copy, paste, print), and which
// input each control drops. Must not: pass any field through without bounding it.
import type { IsolationControls } from '../config/schema/isolation.ts';
import type { ViewerMessage } from './viewer-messages.ts';

export interface Viewport { width: number; height: number }
export interface CdpCommand { method: string; params: Record<string, unknown> }

export type InputResult =
  | { kind: 'send'; commands: CdpCommand[]; action?: 'copy' | 'paste' | 'print' }
  | { kind: 'drop'; reason: string; action?: 'copy' | 'paste' | 'print' };

type InputMessage = Extract<ViewerMessage, { t: 'mouse' | 'wheel' | 'key' | 'text' | 'paste' }>;

const CTRL = 2;
const META = 4;
const SHIFT = 8;
const WHEEL_MAX = 10_000;

export function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Math.round(v)));
}

export function shortcutOf(key: string, code: string, mods: number): 'copy' | 'paste' | 'print' | null {
  const cmd = (mods & (CTRL | META)) !== 0;
  const k = key.toLowerCase();
  if ((cmd && (k === 'v' || code === 'KeyV')) || ((mods & SHIFT) && key === 'Insert')) return 'paste';
  if (cmd && (k === 'c' || k === 'x' || code === 'KeyC' || code === 'KeyX' || key === 'Insert')) return 'copy';
  if (cmd && (k === 'p' || code === 'KeyP')) return 'print';
  return null;
}

export function mapInput(m: InputMessage, vp: Viewport, c: IsolationControls, maxPasteBytes: number): InputResult {
  switch (m.t) {
    case 'mouse': {
      // Middle-click pastes the selection on Linux: paste goes through the paste control only.
      if (m.b === 'middle') return { kind: 'drop', reason: 'middle button' };
      const type = m.a === 'down' ? 'mousePressed' : m.a === 'up' ? 'mouseReleased' : 'mouseMoved';
      return { kind: 'send', commands: [{ method: 'Input.dispatchMouseEvent', params: {
        type, x: clamp(m.x, 0, vp.width - 1), y: clamp(m.y, 0, vp.height - 1), modifiers: m.mods,
        button: m.a === 'move' ? 'none' : m.b, clickCount: m.a === 'move' ? 0 : m.n,
      } }] };
    }
    case 'wheel':
      return { kind: 'send', commands: [{ method: 'Input.dispatchMouseEvent', params: {
        type: 'mouseWheel', x: clamp(m.x, 0, vp.width - 1), y: clamp(m.y, 0, vp.height - 1), modifiers: m.mods,
        deltaX: clamp(m.dx, -WHEEL_MAX, WHEEL_MAX), deltaY: clamp(m.dy, -WHEEL_MAX, WHEEL_MAX),
      } }] };
    case 'key': {
      if (c.keyboard === 'deny') return { kind: 'drop', reason: 'keyboard denied by policy' };
      const shortcut = shortcutOf(m.key, m.code, m.mods);
      // "allow" paste arrives as the viewer's paste event (t:'paste'), which the same keystroke
      // raises on the device: the keystroke itself is dropped quietly (it is neither a paste nor a
      // blocked one). Only "remote-only" forwards it, pasting this user's own remote clipboard.
      if (shortcut === 'paste' && c.paste === 'allow') return { kind: 'drop', reason: 'the paste arrives as the device\'s paste event' };
      if (shortcut === 'paste' && c.paste === 'deny') return { kind: 'drop', reason: `paste keystroke (paste: ${c.paste})`, ...(m.a === 'down' ? { action: 'paste' as const } : {}) };
      if (shortcut === 'copy' && c.copy === 'deny') return { kind: 'drop', reason: 'copy denied by policy', ...(m.a === 'down' ? { action: 'copy' as const } : {}) };
      // Never forwarded (the page's own print dialog would open in the remote browser): the session
      // treats Ctrl/Cmd+P like the toolbar's print button, under the print control.
      if (shortcut === 'print') return { kind: 'drop', reason: 'print shortcut, handled like the print button', ...(m.a === 'down' ? { action: 'print' as const } : {}) };
      const enter = m.key === 'Enter';
      const commands = [{ method: 'Input.dispatchKeyEvent', params: {
        type: m.a === 'up' ? 'keyUp' : enter ? 'keyDown' : 'rawKeyDown', key: m.key, code: m.code,
        windowsVirtualKeyCode: m.kc, modifiers: m.mods, ...(enter && m.a === 'down' ? { text: '\r' } : {}),
      } }];
      const action = m.a === 'down' && (shortcut === 'copy' || shortcut === 'paste') ? shortcut : null;
      return { kind: 'send', commands, ...(action ? { action } : {}) };
    }
    case 'text':
      if (c.keyboard === 'deny') return { kind: 'drop', reason: 'keyboard denied by policy' };
      return { kind: 'send', commands: [{ method: 'Input.insertText', params: { text: m.s } }] };
    case 'paste':
      if (c.paste !== 'allow' || c.keyboard === 'deny') return { kind: 'drop', reason: `paste from the device (paste: ${c.paste})`, action: 'paste' };
      if (Buffer.byteLength(m.s) > maxPasteBytes) return { kind: 'drop', reason: `paste larger than ${maxPasteBytes} bytes`, action: 'paste' };
      return { kind: 'send', commands: [{ method: 'Input.insertText', params: { text: m.s } }], action: 'paste' };
  }
}
