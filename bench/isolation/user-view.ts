// The user's side of the isolation benchmark: a real Chromium (playwright-core) with the viewer open,
// and probes inside the viewer page. The viewer increments window.__frames right after drawing a
// frame on its canvas; a setter on it reads the canvas pixel at that moment, so "a frame showing
// the change" is timed when it is drawn, in the page's own clock, without polling delays.
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import type { Stack } from '../../test/harness/stack.ts';

export const CANVAS = { width: 1280, height: 720 };

export interface FrameCounter { frames: number; bytes: number; reset(): void }
export interface View { context: BrowserContext; page: Page; counter: FrameCounter; close(): Promise<void> }

/**
 * The viewer on `target`, its canvas ~1280×720 (the size the research notes measured at).
 * `ready` runs once the user's tab exists, just before it opens the address: a first-frame clock
 * starts there, not counting the benchmark creating the user's browser context.
 */
export async function openView(browser: Browser, stack: Stack, secret: string, target: string, ready?: () => void): Promise<View> {
  // The toolbar takes ~40 px above the canvas.
  const context = await browser.newContext({ viewport: { width: CANVAS.width, height: CANVAS.height + 40 }, deviceScaleFactor: 1 });
  await context.addCookies([{ name: 'moatless_auth', value: secret, url: stack.authUrl }]);
  const page = await context.newPage();
  // Before the viewer's WebSocket opens: DevTools reports frames of sockets it saw created.
  const counter = await frameCounter(await context.newCDPSession(page));
  ready?.();
  await page.goto(`${stack.authUrl}/browser/${target}`);
  return { context, page, counter, close: () => context.close() };
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
  const c: FrameCounter = { frames: 0, bytes: 0, reset() { c.frames = 0; c.bytes = 0; } };
  await cdp.send('Network.enable');
  cdp.on('Network.webSocketFrameReceived', (e) => {
    if (e.response.opcode !== 2) return;
    c.frames++;
    c.bytes += Buffer.byteLength(e.response.payloadData, 'base64');
  });
  return c;
}
