// Isolation controls end to end, with two real Chromiums (the remote browser and the user's): each of
// copy, paste, download, upload, keyboard and print under the policy's allow, "only within the
// isolated browser" (remote-only / remote-view) and deny settings, driven through the viewer page the
// way a user would (double-click, Ctrl+C, Ctrl+V, the file chooser, the print button). Every copy,
// paste, download, upload, print and navigation is audited with the user and the policy; a download
// without end is cut off at the limit; the site's text never reaches the user's page or WebSocket.
// One stack and one user browser for the file; each policy is a user's isolating policy (the
// `controlsFor` port the Gateway fills in production; the policy → controls mapping is tested in
// test/story/risky-user-isolated.test.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { IsolationControls } from '../../src/config/schema/isolation.ts';
import type { IsolationReason } from '../../src/isolation/index.ts';
import { VIEW_ORIGIN } from '../../src/isolation/transfers.ts';
import { SECRET, startIsolationSite, type IsolationSite } from '../fakes/isolation-site.ts';
import type { Stack } from '../harness/stack.ts';
import { auditTrail, canvasPixel, launchChromium, onCanvas, openViewer, signIn, startIsolationStack, until, userPageText, waitForFrames, type Isolation } from './harness.ts';

const MAX_DOWNLOAD = 2_000_000;
const OPEN: IsolationControls = { copy: 'allow', paste: 'allow', download: 'allow', upload: 'allow', keyboard: 'allow', print: 'allow' };
const INSIDE: IsolationControls = { copy: 'remote-only', paste: 'remote-only', download: 'remote-view', upload: 'deny', keyboard: 'allow', print: 'deny' };
const CLOSED: IsolationControls = { copy: 'deny', paste: 'deny', download: 'deny', upload: 'deny', keyboard: 'allow', print: 'deny' };
const POLICIES: Record<string, { name: string; controls: IsolationControls }> = {
  'open@contoso.com': { name: 'Open', controls: OPEN },
  'inside@contoso.com': { name: 'Inside only', controls: INSIDE },
  'closed@contoso.com': { name: 'Closed', controls: CLOSED },
  'nokeys@contoso.com': { name: 'No keyboard', controls: { ...OPEN, keyboard: 'deny' } },
};

// Positions on the fixture page (test/fakes/isolation-site.ts), 1:1 on the canvas.
const AT = { button: [100, 70], field: [120, 175], clipWriter: [400, 80], word: [585, 70], download: [420, 175], upload: [400, 240], bomb: [600, 175] } as const;

let stack: Stack;
let iso: () => Isolation;
let site: IsolationSite;
let browser: Browser;
before(async () => {
  site = await startIsolationSite();
  ({ stack, iso } = await startIsolationStack({ limits: { maxDownloadBytes: MAX_DOWNLOAD } }, {
    controlsFor: async (user): Promise<IsolationReason> => {
      const p = POLICIES[user.email];
      if (!p) throw new Error(`no policy for ${user.email}`);
      return { controls: p.controls, policy: p.name, notice: `policy "${p.name}"`, byPolicy: false };
    },
  }));
  // The clipboard API needs a secure context; the test's auth host is plain http on loopback.
  browser = await launchChromium({ args: [`--unsafely-treat-insecure-origin-as-secure=${stack.authUrl}`] });
});
after(async () => {
  await browser?.close();
  await stack?.close();
  await site?.close();
});

interface Viewer { page: Page; email: string; userKey: string; secret: string; events: Array<Record<string, unknown>>; wsText: string[]; close(): Promise<void> }

/** The user's browser opens the site isolated; every WebSocket message it receives is kept. */
async function open(email: string): Promise<Viewer> {
  const who = await signIn(stack, email);
  const events: Viewer['events'] = [];
  const wsText: string[] = [];
  const { page, context } = await openViewer(browser, stack, who.secret, site.url, (p) => p.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => {
    const text = typeof payload === 'string' ? payload : payload.toString('latin1');
    wsText.push(text);
    if (typeof payload === 'string') events.push(JSON.parse(payload) as Record<string, unknown>);
  })));
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.authUrl });
  await waitForFrames(page);
  await until(() => iso().manager.find(who.userKey)?.url === site.url, 'the remote tab to load the site', 15_000);
  await until(async () => (await canvasPixel(page, 600, 500)).every((v) => v > 240), 'the white page on the canvas');
  return {
    page, email, userKey: who.userKey, secret: who.secret, events, wsText,
    async close() {
      const s = iso().manager.find(who.userKey);
      await context.close();
      if (s) await iso().manager.end(s.id, 'test done');
    },
  };
}

async function click(v: Viewer, [x, y]: readonly [number, number], count = 1): Promise<void> {
  const at = await onCanvas(v.page, x, y);
  if (count === 2) await v.page.mouse.dblclick(at.x, at.y);
  else await v.page.mouse.click(at.x, at.y);
}

/** Types into the remote form field and submits it (the site records the field's value). */
async function submitField(v: Viewer, keys: () => Promise<void>): Promise<void> {
  await click(v, AT.field);
  await keys();
  await v.page.keyboard.press('Enter');
}

const audited = (v: Viewer, kind: string) => auditTrail(iso()).filter((e) => e.kind === kind && e.user === v.email);
const policyOf = (v: Viewer) => POLICIES[v.email]!.name;

function assertAudited(v: Viewer, kind: string, detail?: RegExp): void {
  const rows = audited(v, kind);
  assert.ok(rows.length > 0, `a ${kind} audit record for ${v.email}: ${JSON.stringify(auditTrail(iso()).filter((e) => e.user === v.email).map((e) => e.kind))}`);
  for (const r of rows) assert.equal(r.policy, policyOf(v), `${kind} audited with the policy`);
  if (detail) assert.ok(rows.some((r) => detail.test(r.detail ?? '')), `${kind} detail ${JSON.stringify(rows.map((r) => r.detail))}`);
}

const deviceClipboard = (v: Viewer) => v.page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText());
const setDeviceClipboard = (v: Viewer, s: string) => v.page.evaluate((t) => (globalThis as unknown as { navigator: { clipboard: { writeText(s: string): Promise<void> } } }).navigator.clipboard.writeText(t), s);

/** Fetches a viewer download link as `secret`'s browser would (status and body). */
function fetchDownload(href: string, secret: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = { host: new URL(stack.authUrl).host, cookie: `moatless_auth=${secret}` };
    request({ host: '127.0.0.1', port: stack.port, path: href, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    }).on('error', reject).end();
  });
}

function transfersDir(v: Viewer): string {
  const pid = iso().manager.find(v.userKey)!.remote!.pid;
  const arg = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').find((a) => a.startsWith('--user-data-dir='))!;
  return join(arg.slice('--user-data-dir='.length), 'transfers');
}

function assertNoSiteText(v: Viewer, dom: string): void {
  assert.ok(!dom.includes(SECRET), 'the site\'s text is not in the user\'s page');
  assert.ok(!v.wsText.some((m) => m.includes(SECRET)), 'the site\'s text is in no WebSocket message to the user');
}

const downloadEvents = (v: Viewer) => v.events.filter((e) => e.t === 'download') as Array<{ name: string; href: string }>;

test('policy "Open": copy to the device, paste from it, download once, upload, print — each audited with the policy', async () => {
  const v = await open('open@contoso.com');
  assertAudited(v, 'navigate');
  assert.ok(audited(v, 'navigate').some((e) => e.url === site.url), 'the navigation audited with its URL');

  // Copy: a double-click selects the word, Ctrl+C sends it to the device's clipboard.
  await click(v, AT.word, 2);
  await v.page.keyboard.press('Control+C');
  await until(() => v.events.some((e) => e.t === 'clipboard' && e.s === 'copyword'), 'the copied text sent to the viewer');
  await until(async () => await deviceClipboard(v) === 'copyword', 'the copied text on the device\'s clipboard');
  assertAudited(v, 'copy', /8 bytes to the device/);

  // Paste: the device's clipboard goes into the remote field; the keystroke is not a blocked paste.
  await setDeviceClipboard(v, 'from-device');
  await submitField(v, () => v.page.keyboard.press('Control+V'));
  await until(() => site.typed.includes('from-device'), 'the device\'s clipboard pasted into the remote form');
  assertAudited(v, 'paste', /11 bytes from the device/);
  assert.equal(audited(v, 'paste-blocked').length, 0, 'no paste was blocked under allow');
  assert.ok(!v.events.some((e) => e.t === 'notice' && /Paste is not allowed/.test(String(e.text))), 'no "not allowed" notice under allow');

  // Download: offered once, through a link only this user can use.
  await click(v, AT.download);
  await until(() => downloadEvents(v).length === 1, 'the download offered to the viewer');
  const { href, name } = downloadEvents(v)[0]!;
  assert.equal(name, 'file.txt');
  const stranger = await signIn(stack, 'stranger@contoso.com');
  assert.equal((await fetchDownload(href, stranger.secret)).status, 404, 'another user cannot take the download');
  const got = await fetchDownload(href, v.secret);
  assert.equal(got.status, 200);
  assert.equal(got.body.toString(), 'downloaded bytes');
  assert.equal((await fetchDownload(href, v.secret)).status, 404, 'the link works once');
  assertAudited(v, 'download', /file\.txt/);

  // Upload: the remote file chooser opens the device's; the chosen file reaches the site.
  const chooser = v.page.waitForEvent('filechooser', { timeout: 10_000 });
  await click(v, AT.upload);
  await (await chooser).setFiles({ name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from('uploaded text') });
  await until(() => site.uploads.some((u) => u.name === 'note.txt' && u.text === 'uploaded text'), 'the file to reach the site');
  assertAudited(v, 'upload', /note\.txt \(13 bytes\)/);
  assert.ok(!v.events.some((e) => e.t === 'error'), `no errors: ${JSON.stringify(v.events.filter((e) => e.t === 'error'))}`);

  // Print: the toolbar's button makes a PDF of the page, offered as a download; Ctrl+P does the same.
  await v.page.click('#print');
  await until(() => downloadEvents(v).length === 2, 'the printed PDF offered');
  const pdf = downloadEvents(v)[1]!;
  assert.equal(pdf.name, 'print.pdf');
  assert.equal((await fetchDownload(pdf.href, v.secret)).body.subarray(0, 5).toString(), '%PDF-');
  await click(v, AT.button);
  await v.page.keyboard.press('Control+P');
  await until(() => downloadEvents(v).length === 3, 'Ctrl+P printing too');
  assertAudited(v, 'print', /bytes PDF/);
  assert.equal(audited(v, 'print-blocked').length, 0);

  // A download without end stops at the limit; nothing that size stays on disk; the session goes on.
  await click(v, AT.bomb);
  await until(() => audited(v, 'download-blocked').some((e) => /larger than 2000000 bytes/.test(e.detail ?? '')), 'the bomb to be cut off', 20_000);
  await until(() => site.bombs.length > 0, 'the bomb\'s connection to be closed', 10_000);
  await until(() => v.events.some((e) => e.t === 'notice' && /bomb\.bin stopped: larger than the limit/.test(String(e.text))), `the user to be told (${JSON.stringify(v.events.filter((e) => e.t === 'notice'))})`);
  assert.equal(downloadEvents(v).length, 3, 'the bomb was not offered');
  await until(() => readdirSync(transfersDir(v)).every((f) => statSync(join(transfersDir(v), f)).size <= MAX_DOWNLOAD), `the bomb's bytes to be deleted (${readdirSync(transfersDir(v)).map((f) => `${f}: ${statSync(join(transfersDir(v), f)).size}`).join(', ')})`);
  const clicks = site.clicks.length;
  await click(v, AT.button);
  await until(() => site.clicks.length > clicks, 'the session to keep working after the bomb');

  assertNoSiteText(v, await userPageText(v.page));
  await v.close();
});

test('policy "Inside only": copy and paste stay in the remote browser, a download opens there, print is refused', async () => {
  const v = await open('inside@contoso.com');
  await setDeviceClipboard(v, 'device-text');

  // Copy within the remote browser: audited, nothing sent to the device.
  await click(v, AT.word, 2);
  await v.page.keyboard.press('Control+C');
  await until(() => audited(v, 'copy').length > 0, 'the copy audited');
  assertAudited(v, 'copy', /within the remote browser/);
  // Paste within it: the remote clipboard (the copied word) goes in, the device's never does.
  await submitField(v, () => v.page.keyboard.press('Control+V'));
  await until(() => site.typed.includes('copyword'), 'the remote clipboard pasted in the remote browser');
  assertAudited(v, 'paste', /within the remote browser/);
  assert.ok(!site.typed.some((t) => t.includes('device-text')), 'the device\'s clipboard never reached the site');
  assert.ok(!v.events.some((e) => e.t === 'clipboard'), 'no clipboard text sent to the viewer');
  assert.equal(await deviceClipboard(v), 'device-text', 'the device\'s clipboard is untouched');

  // Download "view in the remote browser": a new remote tab shows the file; the viewer gets no file.
  await click(v, AT.download);
  await until(() => audited(v, 'download').length > 0, 'the download audited', 15_000);
  assertAudited(v, 'download', /file\.txt: viewed in the remote browser/);
  const session = iso().manager.find(v.userKey)!;
  await until(() => session.remote!.tabCount === 2 && session.url.startsWith(VIEW_ORIGIN), `the file open in a new remote tab (${session.url})`, 10_000);
  assert.equal(downloadEvents(v).length, 0, 'nothing offered to the device');
  // The viewer names the file, never where it lies on the server (it used to show file:///tmp/…).
  await until(async () => await v.page.inputValue('#address') === 'file.txt', 'the file\'s name in the address bar');
  assert.equal(await v.page.locator('#tabs button.active').textContent(), 'file.txt', 'the tab titled by the file\'s name');
  const leaked = v.wsText.filter((t) => t.includes('file:') || t.includes(tmpdir()) || t.includes(VIEW_ORIGIN));
  assert.deepEqual(leaked, [], 'no server path or internal address in any message to the viewer');
  // The file is shown in the remote tab (its text is on the canvas as pixels: not all white).
  await until(() => v.page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { getElementById(id: string): { getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } } } }).document;
    return doc.getElementById('screen').getContext('2d').getImageData(0, 0, 200, 30).data.some((c, i) => i % 4 !== 3 && c < 128);
  }), 'the file\'s text drawn in the remote tab');

  // Print is denied: the button and Ctrl+P are refused and audited.
  await v.page.click('#print');
  await click(v, [600, 500]);
  await v.page.keyboard.press('Control+P');
  await until(() => audited(v, 'print-blocked').length === 2, 'both print attempts refused');
  assertAudited(v, 'print-blocked');
  assert.equal(audited(v, 'print').length, 0);
  assert.equal(downloadEvents(v).length, 0);
  await v.close();
});

test('policy "Closed": copy, paste (device or remote), download, upload and print are refused and audited', async () => {
  const v = await open('closed@contoso.com');
  await setDeviceClipboard(v, 'device-text');
  // The page fills the remote clipboard; a forwarded Ctrl+V would paste it.
  await click(v, AT.clipWriter);
  await click(v, AT.word, 2);
  await v.page.keyboard.press('Control+C');
  await until(() => audited(v, 'copy-blocked').length > 0, 'the copy refused');
  assertAudited(v, 'copy-blocked');
  assert.equal(audited(v, 'copy').length, 0);

  await submitField(v, async () => {
    await v.page.keyboard.press('Control+V');
    await v.page.keyboard.type('typed');
  });
  await until(() => site.typed.includes('typed'), 'the typed text (only) to reach the site');
  assertAudited(v, 'paste-blocked');
  assert.equal(audited(v, 'paste').length, 0);
  assert.ok(v.events.some((e) => e.t === 'notice' && /Paste is not allowed/.test(String(e.text))), 'the user is told');

  const before = readdirSync(transfersDir(v)).length;
  await click(v, AT.download);
  await until(() => audited(v, 'download-blocked').length > 0, 'the download refused');
  assertAudited(v, 'download-blocked', /file\.txt/);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(downloadEvents(v).length, 0);
  assert.equal(readdirSync(transfersDir(v)).length, before, 'no file written');

  const chooser = v.page.waitForEvent('filechooser', { timeout: 1500 }).then(() => true, () => false);
  await click(v, AT.upload);
  await until(() => audited(v, 'upload-blocked').length > 0, 'the upload refused');
  assert.equal(await chooser, false, 'no file chooser opened on the device');
  assertAudited(v, 'upload-blocked');

  await v.page.click('#print');
  await until(() => audited(v, 'print-blocked').length > 0, 'printing refused');
  assertAudited(v, 'print-blocked');
  assert.equal(downloadEvents(v).length, 0);
  assert.ok(!site.typed.some((t) => /device-text|clip/.test(t)), `nothing pasted: ${site.typed.join(',')}`);
  assert.ok(!v.events.some((e) => e.t === 'clipboard'));
  assertNoSiteText(v, await userPageText(v.page));
  await v.close();
});

test('keyboard deny: keys and text never reach the page; the mouse still works', async () => {
  const v = await open('nokeys@contoso.com');
  const typed = site.typed.length;
  await submitField(v, () => v.page.keyboard.type('nokeys'));
  // The mouse still works: one click (counted from this test's own; earlier tests clicked too)
  // reaches the page and its result the canvas.
  const clicks = site.clicks.length;
  await click(v, AT.button);
  await until(() => site.clicks.length === clicks + 1, 'the click');
  await until(async () => { const [r, g, b] = await canvasPixel(v.page, 600, 500); return r! > 200 && g! < 60 && b! < 60; }, 'the click\'s result on the canvas');
  assert.equal(site.typed.length, typed, `nothing typed: ${site.typed.slice(typed).join(',')}`);
  await v.close();
});
