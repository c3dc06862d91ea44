// The user's side of the isolation benchmark: a real Chromium (playwright-core) with the viewer open,
// and probes inside the viewer page. The viewer increments window.__frames right after drawing a
// frame on its canvas; a setter on it reads the canvas pixel at that moment, so "a frame showing
// the change" is timed when it is drawn, in the page's own clock, without polling delays.
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import type { Stack } from '../../test/harness/stack.ts';

export const CANVAS = { width: 1280, height: 720 };

/** Frame messages the viewer received: count, bytes, and arrival times (s, the user's browser's clock). */
export interface FrameCounter { frames: number; bytes: number; times: number[]; reset(): void }
export interface View { context: BrowserContext; page: Page; counter: FrameCounter; close(): Promise<void> }

/**
 * The viewer on `target`, its canvas ~1280×720 (the size the research notes measured at).
 * `ready` runs once the user's tab exists, just before it opens the address: a first-frame clock
 * starts there, not counting the benchmark creating the user's browser context.
 */
export async function openView(browser: Browser, stack: Stack, secret: string, target: string, ready?: () => void, watch?: SiteWatch | 'draws'): Promise<View> {
  // The toolbar takes ~40 px above the canvas.
  const context = await browser.newContext({ viewport: { width: CANVAS.width, height: CANVAS.height + 40 }, deviceScaleFactor: 1 });
  await context.addCookies([{ name: 'moatless_auth', value: secret, url: stack.authUrl }]);
  if (watch === 'draws') await context.addInitScript(recordDraws);
  else if (watch) await context.addInitScript(watchSite, watch);
  const page = await context.newPage();
  // Before the viewer's WebSocket opens: DevTools reports frames of sockets it saw created.
  const counter = await frameCounter(await context.newCDPSession(page));
  ready?.();
  await page.goto(`${stack.authUrl}/browser/${target}`);
  return { context, page, counter, close: () => context.close() };
}

/** A pixel and the colour that tells the site's frame from blank ones. */
export interface SiteWatch { x: number; y: number; rgb: number[] }
/** What watchSite records, in the viewer page's clock (ms). */
export interface SiteSeen { arrivals: number[]; drawn: number | null; drawnFrame: number | null }

/**
 * Runs in the viewer page before viewer.js: notes when each binary (frame) message arrives, and at
 * each draw (the viewer sets window.__frames right after drawImage) reads the canvas pixel, so the
 * moment the site's pixels are on the canvas is known in the page's own clock — without the
 * bench's polling interval and the DevTools round trip back to this process, which under load
 * added tens to hundreds of ms to what the user had already been shown.
 */
function watchSite(w: SiteWatch): void {
  const g = globalThis as unknown as Record<string, unknown> & { WebSocket: typeof WebSocket; document: { getElementById(id: string): unknown } };
  const seen: SiteSeen = { arrivals: [], drawn: null, drawnFrame: null };
  g.__site = seen;
  const Native = g.WebSocket;
  g.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: ConstructorParameters<typeof WebSocket>[1]) {
      super(url, protocols);
      this.addEventListener('message', (m) => { if (typeof m.data !== 'string') seen.arrivals.push(performance.now()); });
    }
  };
  let n = 0;
  Object.defineProperty(g, '__frames', {
    configurable: true,
    get: () => n,
    set: (v: number) => {
      n = v;
      if (seen.drawn !== null || v === 0) return;
      const canvas = g.document.getElementById('screen') as { getContext(k: '2d'): { getImageData(a: number, b: number, c: number, d: number): { data: Uint8ClampedArray } } } | null;
      const d = canvas?.getContext('2d').getImageData(w.x, w.y, 1, 1).data;
      if (d && w.rgb.every((c, i) => Math.abs(c - d[i]!) <= 12)) { seen.drawn = performance.now(); seen.drawnFrame = v; }
    },
  });
}

/**
 * Runs in the viewer page before viewer.js: the time of every draw (the viewer sets window.__frames
 * right after drawImage), in the page's clock, as `__draws`: the frame rate the user saw.
 */
function recordDraws(): void {
  const g = globalThis as unknown as Record<string, unknown>;
  const draws: number[] = [];
  g.__draws = draws;
  let n = 0;
  Object.defineProperty(g, '__frames', {
    configurable: true,
    get: () => n,
    set: (v: number) => { if (v > n) draws.push(performance.now()); n = v; },
  });
}

/** Draws in [from, to] (epoch ms): their times, in epoch ms. */
export async function drawsBetween(page: Page, from: number, to: number): Promise<number[]> {
  const { origin, draws } = await page.evaluate(() => ({ origin: performance.timeOrigin, draws: (globalThis as unknown as { __draws: number[] }).__draws }));
  return draws.map((d) => origin + d).filter((t) => t >= from && t <= to);
}

type Probe = { want: number[] | null; hit: number | null; down: number | null };

/** Installs the draw probe: from now on, a drawn frame whose pixel (x, y) is `want` (±12) sets `hit`. */
export async function installProbe(page: Page, x: number, y: number): Promise<void> {
  await page.evaluate(([px, py]) => {
    const w = globalThis as unknown as Record<string, unknown> & { document: { getElementById(id: string): unknown } };
    const canvas = w.document.getElementById('screen') as { getContext(k: '2d'): { getImageData(a: number, b: number, c: number, d: number): { data: Uint8ClampedArray } }; addEventListener(t: string, f: (e: { timeStamp: number }) => void, o: unknown): void };
    const ctx = canvas.getContext('2d');
    const probe: Probe = { want: null, hit: null, down: null };
    w.__probe = probe;
    let n = w.__frames as number;
    Object.defineProperty(w, '__frames', {
      configurable: true,
      get: () => n,
      set: (v: number) => {
        n = v;
        if (!probe.want || probe.hit !== null) return;
        const d = ctx.getImageData(px!, py!, 1, 1).data;
        if (probe.want.every((c, i) => Math.abs(c - d[i]!) <= 12)) probe.hit = performance.now();
      },
    });
    // The user's press, in the same clock: the event's own timestamp.
    canvas.addEventListener('mousedown', (e) => { probe.down = e.timeStamp; }, { capture: true });
  }, [x, y]);
}

/** Arms the probe for `rgb`, returns a function that resolves with ms from press to that pixel drawn. */
export async function armProbe(page: Page, rgb: number[], timeoutMs = 5000): Promise<() => Promise<number>> {
  await page.evaluate((want) => {
    const p = (globalThis as unknown as { __probe: Probe }).__probe;
    p.want = want; p.hit = null; p.down = null;
  }, rgb);
  return async () => {
    const h = await page.waitForFunction(() => {
      const p = (globalThis as unknown as { __probe: Probe }).__probe;
      return p.hit !== null && p.down !== null ? p.hit - p.down : false;
    }, undefined, { timeout: timeoutMs, polling: 10 });
    return (await h.jsonValue()) as number;
  };
}

/** Binary WebSocket messages the viewer receives (frames), counted through the page's DevTools. */
async function frameCounter(cdp: CDPSession): Promise<FrameCounter> {
  const c: FrameCounter = { frames: 0, bytes: 0, times: [], reset() { c.frames = 0; c.bytes = 0; c.times = []; } };
  await cdp.send('Network.enable');
  cdp.on('Network.webSocketFrameReceived', (e) => {
    if (e.response.opcode !== 2) return;
    c.frames++;
    c.times.push(e.timestamp);
    c.bytes += Buffer.byteLength(e.response.payloadData, 'base64');
  });
  return c;
}
