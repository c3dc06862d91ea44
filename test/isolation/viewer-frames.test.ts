// The viewer's canvas, with the user's real Chromium and a scripted isolation server: the page and
// viewer.js are served as the auth host serves them, the WebSocket is answered by the test, and the
// browser's JPEG decoding is held and released on cue — so frame order, which a live remote browser
// only upsets now and then, is set exactly.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { VIEWER_CSP, viewerPage } from '../../src/isolation/http/viewer-page.ts';
import { canvasPixel, launchChromium, until } from './harness.ts';

const ORIGIN = 'http://viewer.localhost';
const asset = (name: string) => readFileSync(new URL(`../../src/isolation/viewer/${name}`, import.meta.url));

let browser: Browser;
before(async () => { browser = await launchChromium(); });
after(async () => { await browser?.close(); });

/** A solid-colour JPEG, encoded by the user's browser itself. */
async function jpeg(page: Page, rgb: number[]): Promise<Buffer> {
  const b64 = await page.evaluate(async (c) => {
    type Ctx = { fillStyle: string; fillRect(x: number, y: number, w: number, h: number): void };
    type Off = { getContext(k: '2d'): Ctx; convertToBlob(o: object): Promise<{ arrayBuffer(): Promise<ArrayBuffer> }> };
    const canvas = new (globalThis as unknown as { OffscreenCanvas: new (w: number, h: number) => Off }).OffscreenCanvas(64, 64);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = `rgb(${c.join(',')})`;
    ctx.fillRect(0, 0, 64, 64);
    const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 })).arrayBuffer());
    let s = '';
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s);
  }, rgb);
  return Buffer.from(b64, 'base64');
}

/** The viewer's binary frame message (screencast.ts): tag 1, the frame's number, the JPEG. */
function frameMessage(no: number, data: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = 1;
  head.writeUInt32BE(no, 1);
  return Buffer.concat([head, data]);
}

/** The viewer page as the auth host serves it, its WebSocket answered by the test: the viewer's acks. */
async function scriptedViewer(page: Page): Promise<{ server: WebSocketRoute; acks: number[] }> {
  await page.route(`${ORIGIN}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/isolation/viewer.js') return route.fulfill({ contentType: 'text/javascript', body: asset('viewer.js') });
    if (path === '/isolation/viewer.css') return route.fulfill({ contentType: 'text/css', body: asset('viewer.css') });
    return route.fulfill({ contentType: 'text/html', headers: { 'content-security-policy': VIEWER_CSP }, body: viewerPage() });
  });
  const acks: number[] = [];
  let server: WebSocketRoute | null = null;
  await page.routeWebSocket((u) => u.pathname === '/isolation/ws', (ws) => {
    server = ws;
    ws.onMessage((m) => {
      const msg = JSON.parse(String(m)) as { t: string; f?: number };
      if (msg.t === 'ack') acks.push(msg.f!);
    });
  });
  await page.goto(`${ORIGIN}/browser/http://site.localhost/`);
  await until(() => server !== null, 'the viewer\'s WebSocket');
  return { server: server!, acks };
}

test('a frame decoded after a newer one is never drawn over it, and frames renumbered from 1 still draw', async () => {
  // Two frames can be decoding at once (the stream runs two deep), and createImageBitmap does not
  // promise to finish in order: under load the older frame finished last and was drawn over the
  // newer one, so a page that then stayed still showed a stale picture for good (the flaky burst
  // test in viewer.test.ts: the remote page was magenta, the canvas grey). Here the first decode is
  // held until the second frame has been drawn.
  const context = await browser.newContext({ viewport: { width: 900, height: 640 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const [red, blue, green] = [await jpeg(page, [255, 0, 0]), await jpeg(page, [0, 0, 255]), await jpeg(page, [0, 160, 0])];
  await context.addInitScript(() => {
    const g = globalThis as unknown as { createImageBitmap(...a: unknown[]): Promise<unknown>; __releaseFirst?: () => void; __holdNext?: boolean };
    const real = g.createImageBitmap.bind(globalThis);
    g.createImageBitmap = async (...args: unknown[]) => {
      // Only a frame's decode is held: the viewer also decodes a warm-up JPEG when it starts.
      const first = g.__holdNext === true;
      g.__holdNext = false;
      const bitmap = await real(...args);
      if (first) await new Promise<void>((resolve) => { g.__releaseFirst = resolve; });
      return bitmap;
    };
  });
  const { server, acks } = await scriptedViewer(page);
  const isColour = (want: number[]) => async () => (await canvasPixel(page, 20, 20)).every((v, i) => Math.abs(v - want[i]!) < 40);

  await page.evaluate(() => { (globalThis as unknown as { __holdNext: boolean }).__holdNext = true; });
  server.send(frameMessage(1, red));
  server.send(frameMessage(2, blue));
  await until(() => acks.includes(2), 'frame 2 acked (drawn while frame 1 still decodes)');
  await until(isColour([0, 0, 255]), 'the newer frame on the canvas');
  await page.evaluate(() => (globalThis as unknown as { __releaseFirst(): void }).__releaseFirst());
  await until(() => acks.includes(1), 'frame 1 acked once its decode finished');
  assert.deepEqual(acks, [2, 1], 'every frame is acked, drawn or not');
  assert.ok(await isColour([0, 0, 255])(), `the older frame was not drawn over the newer one (canvas ${await canvasPixel(page, 20, 20)})`);

  // A restarted remote browser numbers its frames from 1 again: what arrived last is drawn.
  server.send(frameMessage(1, green));
  await until(isColour([0, 160, 0]), 'a frame numbered 1 after frame 2, on the canvas');
  await context.close();
});

test('the frame on the canvas stays on it when the canvas box changes size, until the frame at the new size comes', async () => {
  // Setting a canvas's size clears it. The viewer resizes its canvas 150 ms after its box changes
  // (the notice line fills in as the session's hello arrives): the site's first frame, just drawn,
  // went blank until the remote page's frame at the new size came — for good if none came.
  const context = await browser.newContext({ viewport: { width: 900, height: 640 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const red = await jpeg(page, [255, 0, 0]);
  const { server, acks } = await scriptedViewer(page);
  server.send(frameMessage(1, red));
  await until(() => acks.includes(1), 'the frame drawn');
  const size = () => page.evaluate(() => {
    const c = (globalThis as unknown as { document: { getElementById(id: string): { width: number; height: number } } }).document.getElementById('screen');
    return `${c.width}x${c.height}`;
  });
  const before = await size();
  await page.setViewportSize({ width: 800, height: 560 });
  await until(async () => (await size()) !== before, 'the canvas resized');
  const px = await canvasPixel(page, 20, 20);
  assert.ok(px[0]! > 200 && px[1]! < 60 && px[2]! < 60, `the canvas went blank on resize (${px}) before any frame at the new size`);
  await context.close();
});
