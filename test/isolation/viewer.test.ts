// Isolation, end to end with two real Chromiums: a signed-in user opens /browser/<site> in their own
// browser, sees the remote page's first frame on the canvas, clicks a button in it and sees the
// result, types into a form — and the site's DOM text never reaches the user's page. The remote
// browser runs as the unprivileged account with its sandbox on.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import type { Browser } from 'playwright-core';
import { BURST_COLOURS, SECRET, startIsolationSite, type IsolationSite } from '../fakes/isolation-site.ts';
import type { Stack } from '../harness/stack.ts';
import { REGISTRY_NS } from '../../src/isolation/index.ts';
import { canvasPixel, launchChromium, onCanvas, openViewer, signIn, startIsolationStack, until, userPageText, waitForFrames, type Isolation } from './harness.ts';

let stack: Stack;
let iso: () => Isolation;
let site: IsolationSite;
let browser: Browser;
before(async () => {
  site = await startIsolationSite();
  ({ stack, iso } = await startIsolationStack({ lifecycle: { grace: '1s' } }));
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await stack?.close();
  await site?.close();
});

test('a signed-in user drives the remote page through the canvas; no site DOM reaches their page', async () => {
  const alice = await signIn(stack, 'alice@contoso.com');
  const { page, context } = await openViewer(browser, stack, alice.secret, site.url);
  await waitForFrames(page);
  const session = iso().manager.find(alice.userKey)!;
  assert.ok(session, 'a session exists for the user');
  await until(() => session.url === site.url, 'the remote tab to load the site');
  // `moatless isolation sessions` reads this registry.
  const rows = await stack.moatless.store.kv.list(REGISTRY_NS);
  assert.ok(rows.some((r) => r.key === session.id && r.value.includes('alice@contoso.com')), 'the session is registered in the store');
  await until(async () => (await canvasPixel(page, 600, 500)).every((v) => v > 240), 'the white page on the canvas');

  // Click: the site sees a trusted click at the same coordinates, and the canvas turns red.
  const at = await onCanvas(page, 100, 70);
  await page.mouse.click(at.x, at.y);
  await until(() => site.clicks.length === 1, 'the click to reach the site');
  assert.deepEqual(site.clicks[0], { x: 100, y: 70, trusted: true });
  await until(async () => { const [r, g, b] = await canvasPixel(page, 600, 500); return r! > 200 && g! < 60 && b! < 60; }, 'red pixels on the canvas');

  // Typing (including non-ASCII as committed text) and Enter reach the remote form.
  const field = await onCanvas(page, 120, 175);
  await page.mouse.click(field.x, field.y);
  await page.keyboard.type('hello wörld');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Enter');
  await until(() => site.typed.includes('hello wörl'), 'the typed text to reach the site');

  const dom = await userPageText(page);
  assert.ok(!dom.includes(SECRET), 'the secret text is not in the user page');
  assert.ok(!dom.includes('Press me'), 'the button label is not in the user page');

  // The remote browser: its own unprivileged account, sandbox on, loopback proxied when a proxy is set.
  const pid = session.remote!.pid;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const uid = Number(/^Uid:\s+(\d+)/m.exec(status)![1]);
  if (process.getuid?.() === 0) assert.notEqual(uid, 0, 'Chromium does not run as root');
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  assert.ok(!cmdline.includes('--no-sandbox'), 'the sandbox is on');
  assert.ok(cmdline.includes('--remote-debugging-pipe'), 'no DevTools port');

  // Closing the viewer: after the grace period the session, its processes and its profile are gone.
  const profile = cmdline.find((a) => a.startsWith('--user-data-dir='))!.slice('--user-data-dir='.length);
  await context.close();
  await until(() => iso().manager.find(alice.userKey) === undefined, 'the session to end after the grace period', 8000);
  await until(() => { try { process.kill(pid, 0); return false; } catch { return true; } }, 'the browser process to exit', 5000);
  assert.throws(() => readFileSync(`${profile}/Local State`), 'the profile directory is deleted');
  assert.ok(iso().audit && (iso().audit as unknown as { recent(): { kind: string; user: string }[] }).recent()
    .some((e) => e.kind === 'navigate' && e.user === 'alice@contoso.com'), 'the navigation was audited with the user');
});

test('a click lands where the user sees it when the canvas box changes before the remote viewport follows', async () => {
  // The canvas's box can change without a window resize (the tab strip appears, a notice wraps);
  // the frame is then stretched over the new box until the new size reaches the remote browser.
  // Input used to be sent in the box's own pixels, so a click in that window landed elsewhere on
  // the remote page (the "lost clicks" after popups and notices). The box is halved and the click
  // sent in the same task, so the size message cannot overtake it.
  const eve = await signIn(stack, 'eve@contoso.com');
  const { page, context } = await openViewer(browser, stack, eve.secret, site.url);
  await waitForFrames(page);
  await until(async () => (await canvasPixel(page, 600, 500)).every((v) => v > 240), 'the white page on the canvas');
  // White alone could still be the pooled browser's blank page before the site commits: click only
  // once the site's button (grey, not white) is on the canvas, as a user would.
  await until(async () => (await canvasPixel(page, 60, 50)).every((v) => v > 180 && v < 250), 'the site\'s button on the canvas');
  // The viewer has sent the box's size (it sizes the canvas as it does): a box that changed less than
  // its 150 ms debounce ago (the notice filled in) still maps clicks through the size sent before,
  // rightly, but then the box halved below is not the one this test's arithmetic assumes.
  await page.waitForFunction(() => {
    const g = globalThis as unknown as { devicePixelRatio: number; document: { getElementById(id: string): { width: number; height: number; getBoundingClientRect(): { width: number; height: number } } } };
    const c = g.document.getElementById('screen');
    const r = c.getBoundingClientRect();
    return c.width === Math.round(r.width * g.devicePixelRatio) && c.height === Math.round(r.height * g.devicePixelRatio);
  }, undefined, { polling: 20 });
  const before = site.clicks.length;
  await page.evaluate(([rx, ry]) => {
    type El = { getBoundingClientRect(): { left: number; top: number; width: number; height: number }; style: Record<string, string>; dispatchEvent(e: unknown): void };
    const g = globalThis as unknown as { document: { getElementById(id: string): El }; MouseEvent: new (t: string, i: object) => unknown };
    const canvas = g.document.getElementById('screen');
    const full = canvas.getBoundingClientRect();
    canvas.style.width = `${full.width / 2}px`;
    canvas.style.height = `${full.height / 2}px`;
    const half = canvas.getBoundingClientRect();
    const at = { clientX: half.left + rx! * (half.width / full.width), clientY: half.top + ry! * (half.height / full.height), button: 0, bubbles: true, detail: 1 };
    canvas.dispatchEvent(new g.MouseEvent('mousedown', at));
    canvas.dispatchEvent(new g.MouseEvent('mouseup', at));
  }, [100, 70]);
  await until(() => site.clicks.length === before + 1, 'the click to reach the site\'s button');
  assert.deepEqual(site.clicks.at(-1), { x: 100, y: 70, trusted: true });
  await context.close();
});

test('each page the remote tab opens reaches the canvas, while the viewer re-sends its (unchanged) size as it loads', async () => {
  // A viewer sends its size on every window resize event, most often unchanged. Each one used to
  // restart the screencast (stop, then start); a restart overlapping the new document's first paint
  // lost that paint, and a static page paints nothing more, so the viewer waited for ever. (This
  // was the benchmark's pooled first frame that never arrived: its canvas is exactly the remote
  // browser's default size.) The size message lands 0–300 ms after each navigation, across the commit.
  const bob = await signIn(stack, 'bob@contoso.com');
  const { page, context } = await openViewer(browser, stack, bob.secret, site.url);
  const isColour = (want: number[]) => async () => (await canvasPixel(page, 600, 500)).every((v, i) => Math.abs(v - want[i]!) < 40);
  const WHITE = [255, 255, 255];
  const GREEN = [0, 160, 0];
  await until(isColour(WHITE), 'the site on the canvas', 20_000);
  for (let i = 0; i < 8; i++) {
    const [url, want] = i % 2 === 0 ? [`${site.url}green?${i}`, GREEN] : [`${site.url}?${i}`, WHITE];
    await page.evaluate(([u, delay]) => {
      const doc = (globalThis as unknown as { document: { getElementById(id: string): { value: string; requestSubmit(): void } } }).document;
      doc.getElementById('address').value = u as string;
      doc.getElementById('go').requestSubmit();
      // The viewer answers a resize event 150 ms later with its size message.
      setTimeout(() => (globalThis as unknown as { dispatchEvent(e: unknown): void; Event: new (t: string) => unknown }).dispatchEvent(new (globalThis as unknown as { Event: new (t: string) => unknown }).Event('resize')), delay as number);
    }, [url, i * 40 - 150] as const);
    await until(isColour(want), `page ${i} (${url}) on the canvas`, 10_000);
  }
  await context.close();
});

/** How soon after a page stops changing the canvas shows its final state (see the burst test). */
const SETTLED_MS = 4000;

test('a page that repaints in bursts and then stays still always reaches the canvas in its final state', async () => {
  // Each click makes the page repaint 30 times in a quarter second, then stop. Chromium sent up to
  // three frames before an ack and dropped paints made meanwhile; the stream kept one ack, so each
  // burst left frames counted "in flight" for good, and after a few bursts Chromium sent nothing
  // more: the canvas stayed on a stale picture while the page had changed (the keyboard-deny test's
  // click that reached the page but never the canvas). Later, about 1 run in 7 under load: two frames
  // decoding at once in the viewer finished out of order and the older was drawn last (the page in
  // its final colour, the canvas grey); viewer-frames.test.ts pins that. Traces under load then showed
  // restarts of the screencast (a lower quality for a slow viewer, often near round 2) with a frame
  // painted before the restart arriving after it under the new session's id: had it come after the
  // new session's first frame it would have been drawn over it; screencast.test.ts pins that.
  // The promise: the canvas shows the page's final state within SETTLED_MS of the page going still
  // (the viewer's ack timeout, 2 s, plus a frame's encode and delivery on a loaded box).
  const frank = await signIn(stack, 'frank@contoso.com');
  const { page, context } = await openViewer(browser, stack, frank.secret, `${site.url}burst`);
  const near = (want: number[]) => async () => (await canvasPixel(page, 600, 500)).every((v, i) => Math.abs(v - want[i]!) < 40);
  await until(near([255, 255, 255]), 'the page on the canvas', 20_000);
  for (let round = 0; round < 2 * BURST_COLOURS.length; round++) {
    const at = await onCanvas(page, 300, 300);
    await page.mouse.click(at.x, at.y);
    const want = BURST_COLOURS[round % BURST_COLOURS.length]!;
    // The page reports each round it started and settled: a failure then says whether the click was
    // lost (no `click N`) or the page settled and its final frame never reached the canvas.
    await until(near(want), `round ${round + 1}: the final colour rgb(${want.join(',')}) on the canvas`, 10_000)
      .catch((err: Error) => { throw new Error(`${err.message}; the page saw: ${site.burstLog.join(', ') || 'nothing'}`); });
    // The page reports its final state after painting it; the report can come after the canvas has it.
    await until(() => site.burstSettledAt[round + 1] !== undefined, `round ${round + 1}'s report`, 5_000);
    const late = Date.now() - site.burstSettledAt[round + 1]!;
    assert.ok(late <= SETTLED_MS, `round ${round + 1}: the final state reached the canvas ${late} ms after the page went still (bound ${SETTLED_MS} ms)`);
  }
  await context.close();
});

test('the viewer page\'s own request starts the remote browser on the site before its WebSocket opens; other requests start nothing', async () => {
  const get = (secret: string, method: string, headers: Record<string, string>) => new Promise<number>((resolve, reject) => {
    const u = new URL(`${stack.authUrl}/browser/${site.url}`);
    request({ host: '127.0.0.1', port: stack.port, path: u.pathname, method, headers: { host: u.host, cookie: `moatless_auth=${secret}`, ...headers } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject).end();
  });
  // Not page loads: an image's request, a prefetch, HEAD.
  const carol = await signIn(stack, 'carol@contoso.com');
  assert.equal(await get(carol.secret, 'GET', { accept: 'image/avif,image/*', 'sec-fetch-dest': 'image' }), 200);
  assert.equal(await get(carol.secret, 'GET', { accept: 'text/html', 'sec-fetch-dest': 'document', 'sec-purpose': 'prefetch' }), 200);
  assert.equal(await get(carol.secret, 'HEAD', { accept: 'text/html' }), 200);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(iso().manager.find(carol.userKey), undefined, 'no session for requests that are not the user loading the page');

  // The page load itself: the site opens in the remote browser with no viewer connected yet.
  const dave = await signIn(stack, 'dave@contoso.com');
  assert.equal(await get(dave.secret, 'GET', { accept: 'text/html', 'sec-fetch-dest': 'document' }), 200);
  await until(() => iso().manager.find(dave.userKey)?.url === site.url, 'the site open before any viewer', 20_000);
  const s = iso().manager.find(dave.userKey)!;
  assert.equal(s.hasViewer, false);
  // A viewer that never comes: the grace period (1 s here) ends it like one that left.
  await until(() => iso().manager.find(dave.userKey) === undefined, 'the unattached session to end after the grace period', 10_000);
});
