// The isolation benchmark's measurements, each on a real stack (test/isolation/harness.ts), the
// remote browsers running as the isolation account with their sandbox on, and a real user Chromium
// or raw WebSocket viewers on loopback.
import type { Browser } from 'playwright-core';
import type { SessionManager } from '../../src/isolation/index.ts';
import { pssBytes, readProcTable, treeOf, usageOf } from '../../src/isolation/process-tree.ts';
import type { Stack } from '../../test/harness/stack.ts';
import { signIn, until } from '../../test/isolation/harness.ts';
import { connectRaw, type RawViewer } from '../../test/isolation/raw-viewer.ts';
import { firstFrameSteps, type Steps } from './first-frame-timeline.ts';
import { armProbe, CANVAS, drawsBetween, installProbe, openView, type View } from './user-view.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MIB = 1024 ** 2;

export interface Ctx { stack: Stack; manager: () => SessionManager; browser: Browser }

let users = 0;
export const newUser = (ctx: Ctx) => signIn(ctx.stack, `bench${++users}@contoso.com`);

/** Ends the user's session now (not after the grace period) and waits until its browser is gone. */
export async function endSession(ctx: Ctx, userKey: string): Promise<void> {
  const s = ctx.manager().find(userKey);
  if (!s) return;
  const pid = s.remote?.pid;
  await ctx.manager().end(s.id, 'benchmark');
  if (pid) await until(() => { try { process.kill(pid, 0); return false; } catch { return true; } }, 'the browser to exit', 10_000);
}

async function pixelIs(v: View, x: number, y: number, rgb: number[], ms: number): Promise<void> {
  await v.page.waitForFunction(([px, py, want]) => {
    const doc = (globalThis as unknown as { document: { getElementById(id: string): { getContext(k: '2d'): { getImageData(a: number, b: number, c: number, d: number): { data: Uint8ClampedArray } } } } }).document;
    const d = doc.getElementById('screen').getContext('2d').getImageData(px as number, py as number, 1, 1).data;
    return (want as number[]).every((c, i) => Math.abs(c - d[i]!) <= 12);
  }, [x, y, rgb] as const, { timeout: ms, polling: 10 });
}

/**
 * Time from the user opening /browser/<colour page> to the site's colour drawn on their canvas (in
 * the user page's clock, at the draw); `seenMs` is when the bench's polling saw it, for comparison.
 */
export async function firstFrame(ctx: Ctx, url: string, rgb: number[]): Promise<{ ms: number; seenMs: number; pooled: boolean; browserCpuS: number; steps: Steps }> {
  const u = await newUser(ctx);
  const warm = new Map(ctx.manager().pool.pids.map((p) => [p, treeCpu(p)]));
  let t0 = 0;
  const v = await openView(ctx.browser, ctx.stack, u.secret, url, () => { t0 = performance.now(); }, { x: 100, y: 100, rgb });
  await pixelIs(v, 100, 100, rgb, 30_000).catch(async (err: unknown) => {
    // Say how far this session got, so a stuck first frame can be placed on its path.
    const s = ctx.manager().find(u.userKey);
    const got = s ? await firstFrameSteps(v.page, performance.timeOrigin + t0, s.timeline, NaN).catch(() => ({})) : {};
    throw new Error(`no first frame (session ${s ? s.state : 'missing'}, pooled ${s?.timeline.pooled}, steps ${JSON.stringify(got)}): ${(err as Error).message}`);
  });
  const seenMs = performance.now() - t0;
  const session = ctx.manager().find(u.userKey);
  const steps = await firstFrameSteps(v.page, performance.timeOrigin + t0, session?.timeline, performance.timeOrigin + t0 + seenMs);
  const ms = steps.drawn!;
  if (!Number.isFinite(ms)) throw new Error('the site\'s colour was seen on the canvas, but no draw showing it was recorded');
  const pid = session?.remote?.pid ?? -1;
  const pooled = session?.timeline.pooled ?? warm.has(pid);
  // CPU the remote browser spent on this request (a cold one: its whole start): load-independent.
  const browserCpuS = treeCpu(pid) - (warm.get(pid) ?? 0);
  await v.close();
  await endSession(ctx, u.userKey);
  return { ms, seenMs, pooled, browserCpuS, steps };
}

/** Click-to-pixel: press on the canvas, until the frame showing the page's new colour is drawn. */
export async function clickToPixel(ctx: Ctx, url: string, clicks: number): Promise<{ ms: number[]; browserCpuMsPerClick: number; serverCpuMsPerClick: number }> {
  const u = await newUser(ctx);
  const v = await openView(ctx.browser, ctx.stack, u.secret, url);
  const RED = [255, 0, 0];
  const BLUE = [0, 0, 255];
  await pixelIs(v, 300, 300, RED, 30_000);
  await installProbe(v.page, 300, 300);
  const box = (await v.page.locator('#screen').boundingBox())!;
  await v.page.mouse.move(box.x + 300, box.y + 300);
  await sleep(500);
  const pid = ctx.manager().find(u.userKey)!.remote!.pid;
  const cpu0 = treeCpu(pid);
  const node0 = process.cpuUsage();
  const out: number[] = [];
  for (let i = 0; i < clicks; i++) {
    const result = await armProbe(v.page, i % 2 === 0 ? BLUE : RED);
    await v.page.mouse.down();
    out.push(await result());
    await v.page.mouse.up();
    await sleep(150);
  }
  // CPU per click (load-independent), idle time between clicks included; the bench's own share is small.
  const node = process.cpuUsage(node0);
  const browserCpuMsPerClick = (treeCpu(pid) - cpu0) * 1000 / clicks;
  const serverCpuMsPerClick = (node.user + node.system) / 1000 / clicks;
  await v.close();
  await endSession(ctx, u.userKey);
  return { ms: out, browserCpuMsPerClick, serverCpuMsPerClick };
}

export interface TreeFigures { pssMb: number; rssMb: number; processes: number }

export function treeFigures(pid: number): TreeFigures {
  const tree = treeOf(pid, readProcTable());
  return { pssMb: pssBytes(tree) / MIB, rssMb: usageOf(tree).rssBytes / MIB, processes: tree.length };
}

const treeCpu = (pid: number) => usageOf(treeOf(pid, readProcTable())).cpuSeconds;

/** Memory of one session's browser on a simple page, after it settled. */
export async function memoryAtRest(ctx: Ctx, url: string, rgb: number[]): Promise<TreeFigures & { idleCores: number }> {
  const u = await newUser(ctx);
  const v = await openView(ctx.browser, ctx.stack, u.secret, url);
  await pixelIs(v, 100, 100, rgb, 30_000);
  await sleep(3000);
  const pid = ctx.manager().find(u.userKey)!.remote!.pid;
  const c0 = treeCpu(pid);
  await sleep(3000);
  const idleCores = (treeCpu(pid) - c0) / 3;
  const f = treeFigures(pid);
  await v.close();
  await endSession(ctx, u.userKey);
  return { ...f, idleCores };
}

export interface ScrollFigures {
  wheelsPerS: number; fps: number; fpsReceived: number; fpsWall: number; bytesPerS: number; frameKb: number;
  browserCores: number; serverCores: number; mem: TreeFigures;
  /** The seconds `fps` was counted over (first to last draw of the steady part). */
  spanS: number;
}

/**
 * Whether a stream counted at `fps` over `seconds` keeps the frame-rate cap `cap`. The cap is a
 * long-run rate (acks on a 1/cap grid, frame-pacer.ts): a stream exactly at it, counted over a
 * window, shows a frame more or less depending on where the window's edges fall (its frames'
 * jitter), so one frame short over the window is the cap, and two short are not.
 */
export const keepsCap = (fps: number, seconds: number, cap: number): boolean =>
  seconds > 0 && fps * seconds >= cap * seconds - 1;

/** Scrolling's first second is left out of its frame rate: the stream starts (input-to-frame latency, the pacer's grid). */
const SCROLL_SETTLE_MS = 1000;

/** A user scrolling a long text page with the wheel (60 px every 33 ms) for `seconds`. */
export async function scrolling(ctx: Ctx, url: string, seconds: number): Promise<ScrollFigures> {
  const u = await newUser(ctx);
  const v = await openView(ctx.browser, ctx.stack, u.secret, url, undefined, 'draws');
  await v.page.waitForFunction(() => (globalThis as unknown as { __frames: number }).__frames > 0, undefined, { timeout: 30_000 });
  await until(() => ctx.manager().find(u.userKey)?.url === url, 'the text page', 15_000);
  await sleep(1000);
  const pid = ctx.manager().find(u.userKey)!.remote!.pid;
  const box = (await v.page.locator('#screen').boundingBox())!;
  await v.page.mouse.move(box.x + CANVAS.width / 2, box.y + CANVAS.height / 2);
  v.counter.reset();
  const cpu0 = treeCpu(pid);
  const node0 = process.cpuUsage();
  const t0 = performance.now();
  let wheels = 0;
  // Due on a 33 ms grid, not 33 ms after the last wheel returned: Playwright's wheel waits ~35 ms for
  // the user's Chromium to handle it, so "wheel then sleep 33" sent 14.7 wheels/s and the frame rate
  // measured was the input rate, not the stream's.
  while (performance.now() - t0 < seconds * 1000) {
    await v.page.mouse.wheel(0, 60);
    wheels++;
    const wait = t0 + wheels * 33 - performance.now();
    if (wait > 0) await sleep(wait);
  }
  const s = (performance.now() - t0) / 1000;
  const node = process.cpuUsage(node0);
  // The rate is frames the viewer drew (its own clock) over the steady part of the scroll: from
  // SCROLL_SETTLE_MS after the first wheel to the last, first draw to last draw in that window.
  // Frames over the wall time of the loop also count the edges (the first frame comes one
  // input-to-frame latency after the first wheel); frames received (DevTools arrival times) are
  // kept for comparison: a frame received but not drawn (decoded after a newer one) is not seen.
  const at = performance.timeOrigin;
  const drawn = await drawsBetween(v.page, at + t0 + SCROLL_SETTLE_MS, at + performance.now());
  const rate = (t: number[], unit: number) => (t.length > 1 ? (t.length - 1) * unit / (t.at(-1)! - t[0]!) : 0);
  const t = v.counter.times;
  const fig: ScrollFigures = {
    wheelsPerS: wheels / s, fps: rate(drawn, 1000), fpsReceived: rate(t, 1), fpsWall: v.counter.frames / s,
    bytesPerS: v.counter.bytes / s, frameKb: v.counter.bytes / Math.max(1, v.counter.frames) / 1024,
    browserCores: (treeCpu(pid) - cpu0) / s, serverCores: (node.user + node.system) / 1e6 / s, mem: treeFigures(pid),
    spanS: drawn.length > 1 ? (drawn.at(-1)! - drawn[0]!) / 1000 : 0,
  };
  await v.close();
  await endSession(ctx, u.userKey);
  return fig;
}

export interface CapacityStep { sessions: number; medianFps: number; minFps: number; browserCores: number; pssMb: number }
export interface Capacity { steps: CapacityStep[]; sustained: number; stoppedBy: string }

/**
 * Sessions per machine while every one of them scrolls: raw viewers (no decoding, so the user side
 * costs little) join one by one; after each, every session's frame rate is measured for `windowS`.
 * Stops when one no longer keeps the cap `minFps` (keepsCap), admission refuses, or `budgetS` is spent.
 */
export async function capacity(ctx: Ctx, url: string, o: { minFps: number; windowS: number; budgetS: number; median: (xs: number[]) => number }): Promise<Capacity> {
  const viewers: { v: RawViewer; key: string; timer: NodeJS.Timeout }[] = [];
  const steps: CapacityStep[] = [];
  const started = performance.now();
  let stoppedBy = 'time budget';
  try {
    for (;;) {
      if ((performance.now() - started) / 1000 > o.budgetS) break;
      const u = await newUser(ctx);
      let v: RawViewer;
      try {
        v = await connectRaw(ctx.stack, u.secret, url);
      } catch (err) {
        stoppedBy = `admission refused session ${viewers.length + 1} (${(err as Error).message})`;
        break;
      }
      v.send({ t: 'resize', w: CANVAS.width, h: CANVAS.height, dpr: 1 });
      // Scrolling starts once the page is there, as a user's would: a viewer may send only a few
      // messages while its session starts (a cold start under load took longer than 20 wheel events).
      await until(() => v.frames > 0 || v.events.some((e) => e.t === 'error') || v.ws.readyState !== v.ws.OPEN, 'a first frame', 30_000);
      if (v.frames === 0) {
        v.ws.close();
        stoppedBy = `session ${viewers.length + 1} was refused: ${JSON.stringify(v.events.find((e) => e.t === 'error') ?? 'closed')}`;
        break;
      }
      let dy = 60;
      let n = 0;
      // Wheel 20×/s; the direction flips every 10 s so the page never runs out.
      const timer = setInterval(() => { if (++n % 200 === 0) dy = -dy; v.send({ t: 'wheel', x: 400, y: 300, dx: 0, dy }); }, 50);
      viewers.push({ v, key: u.userKey, timer });
      await sleep(1500);
      const pids = viewers.map((x) => ctx.manager().find(x.key)?.remote?.pid ?? -1);
      const f0 = viewers.map((x) => x.v.frames);
      const c0 = pids.map(treeCpu);
      await sleep(o.windowS * 1000);
      const fps = viewers.map((x, i) => (x.v.frames - f0[i]!) / o.windowS);
      const cores = pids.reduce((a, p, i) => a + treeCpu(p) - c0[i]!, 0) / o.windowS;
      const pss = pids.reduce((a, p) => a + treeFigures(p).pssMb, 0);
      const step = { sessions: viewers.length, medianFps: o.median(fps), minFps: Math.min(...fps), browserCores: cores, pssMb: pss };
      steps.push(step);
      process.stderr.write(`  ${step.sessions} scrolling sessions: median ${step.medianFps.toFixed(1)} fps, min ${step.minFps.toFixed(1)}, browsers ${cores.toFixed(2)} cores\n`);
      if (!keepsCap(step.minFps, o.windowS, o.minFps)) { stoppedBy = `a session fell below ${o.minFps} fps`; break; }
    }
  } finally {
    for (const x of viewers) { clearInterval(x.timer); x.v.ws.close(); }
    for (const x of viewers) await endSession(ctx, x.key);
  }
  const ok = steps.filter((s) => keepsCap(s.minFps, o.windowS, o.minFps));
  return { steps, sustained: ok.length ? Math.max(...ok.map((s) => s.sessions)) : 0, stoppedBy };
}
