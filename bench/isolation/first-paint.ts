// Where a pooled remote browser's first frame goes after the navigation is sent, per variant of its
// set-up, measured on the production path (RemoteBrowser.prepare → adopt → a viewer → navigate, as
// the isolation account with the sandbox on) with no viewer and no Moatless around it: navigation
// sent → committed → the renderer's first paint (Page.lifecycleEvent) → the first screencast frame
// that differs from the blank page's (the site's pixels). Variants differ in Chromium switches
// (a wrapper script adds them) or in what the warm browser does before its user comes; rounds are
// interleaved so every variant sees the same load. Usage:
//   node bench/isolation/first-paint.ts [rounds] [variant,variant...]
// Must not: pass `--no-sandbox` or any other FORBIDDEN_FLAGS.
import { createServer } from 'node:http';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPerfPages } from '../../test/fakes/isolation-pages.ts';
import { launchChromium, type ChromiumProcess, type LaunchOptions } from '../../src/isolation/chromium-process.ts';
import { chromiumFlags, FORBIDDEN_FLAGS } from '../../src/isolation/chromium-flags.ts';
import { RemoteBrowser, type RemoteBrowserOptions } from '../../src/isolation/remote-browser.ts';
import { readProcTable, treeOf, usageOf } from '../../src/isolation/process-tree.ts';
import { resolveRunAs } from '../../src/isolation/run-as.ts';
import type { TimelineMark } from '../../src/isolation/timeline.ts';
import { median } from '../lib/stats.ts';

interface Variant {
  /** Switches added to the remote browser's own (chromium-flags.ts). */
  flags?: string[];
  /** Features added to its --disable-features list. */
  disable?: string[];
  /** Pause between the warm-up and the user's navigation (a pooled browser waits for its user). */
  idleMs?: number;
  /** Warm-up: the screencast runs while the browser waits (no viewer: its frames are acked, kept). */
  armed?: boolean;
  /** …and stops again this long after it started (the capture was set up once, nothing runs). */
  stopAfterMs?: number;
  /** The page: the bench's solid colour (default), or the same with one word of text (contentful). */
  page?: 'colour' | 'word';
}

const VARIANTS: Record<string, Variant> = {
  pooled: { idleMs: 1500 },
  hot: { idleMs: 0 },
  armed: { idleMs: 1500, armed: true },
  'armed-stopped': { idleMs: 1500, armed: true, stopAfterMs: 300 },
  'no-paint-holding': { idleMs: 1500, disable: ['PaintHolding'] },
  // The window as it was before chromium-flags.ts's WINDOW_SIZE: the viewport's size.
  'window-1280x720': { idleMs: 1500, flags: ['--window-size=1280,720'] },
  'no-render-document': { idleMs: 1500, disable: ['RenderDocument'] },
  word: { idleMs: 1500, page: 'word' },
  'word-no-paint-holding': { idleMs: 1500, page: 'word', disable: ['PaintHolding'] },
  'no-backgrounding': {
    idleMs: 1500, flags: ['--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows', '--disable-background-timer-throttling'],
  },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function wrapper(dir: string, v: Variant): string {
  const base = chromiumFlags({ profileDir: '/x', proxy: null, rendererHeapMb: 512 });
  const features = base.find((a) => a.startsWith('--disable-features='))!;
  const extra = [...(v.flags ?? []), ...(v.disable?.length ? [`${features},${v.disable.join(',')}`] : [])];
  if (extra.some((a) => FORBIDDEN_FLAGS.some((f) => a.startsWith(f)))) throw new Error('a variant may not weaken the sandbox');
  const path = join(dir, `chromium-${Math.random().toString(36).slice(2)}.sh`);
  // The last of a repeated switch wins (base::CommandLine), so the variant's list replaces the base one.
  writeFileSync(path, `#!/bin/sh\nexec /usr/lib/chromium/chromium "$@" ${extra.map((a) => `'${a}'`).join(' ')}\n`);
  chmodSync(path, 0o755);
  return path;
}

interface Sample { commit: number; paint: number; frame: number; site: number; rendererPaint: number; cpuS: number }

async function once(dir: string, v: Variant, url: string): Promise<Sample> {
  const launch: LaunchOptions = {
    chromiumPath: wrapper(dir, v), runAs: resolveRunAs('moatless-rbi'), proxy: null, rendererHeapMb: 512, width: 1280, height: 720,
  };
  let proc: ChromiumProcess | null = null;
  const rb = await RemoteBrowser.prepare(launch, async (o) => (proc = await launchChromium(o)));
  try {
    const marks: Partial<Record<TimelineMark, number>> = {};
    const life: Record<string, number> = {};
    proc!.cdp.on('Page.lifecycleEvent', (p) => { if (t0) life[String(p.name)] ??= Number(p.timestamp) * 1000; });
    let blank: Buffer | null = null;
    let site = NaN;
    let t0 = 0;
    const sink = {
      frame: (data: Buffer) => {
        const jpeg = data.subarray(5);
        if (!t0) blank = Buffer.from(jpeg);
        else if (Number.isNaN(site) && marks.commit !== undefined && blank && !jpeg.equals(blank)) {
          site = performance.now() - t0;
        }
      },
      event: () => {}, bufferedAmount: () => 0,
    };
    if (v.stopAfterMs !== undefined) {
      const early = { frame: () => {}, event: () => {}, bufferedAmount: () => 0 };
      rb.attach(early);
      await sleep(v.stopAfterMs);
      rb.detach(early);
    } else if (v.armed) rb.castEarly();
    await sleep(v.idleMs ?? 0);
    const opts: RemoteBrowserOptions = {
      launch, controls: { copy: 'deny', paste: 'deny', download: 'deny', upload: 'deny', keyboard: 'deny', print: 'deny' },
      maxTabs: 4, maxFps: 15, quality: 60, maxFrame: { width: 1280, height: 720 }, maxDownloadBytes: 0,
      checkNavigation: async () => ({ allow: true }), audit: () => {},
      mark: (m) => { marks[m] ??= performance.now() - t0; },
    };
    await rb.adopt(opts);
    // The viewer is attached at once here, so every frame is seen (the bench's viewer comes later).
    rb.attach(sink);
    await waitFor(() => blank !== null, 3000);
    await sleep(100);
    const cpu = () => usageOf(treeOf(rb.pid, readProcTable())).cpuSeconds;
    const cpu0 = cpu();
    t0 = performance.now();
    await rb.navigate(url);
    await waitFor(() => !Number.isNaN(site), 10_000);
    await sleep(Math.max(0, 1000 - (performance.now() - t0)));
    const cpuS = cpu() - cpu0;
    const paintLag = life.firstPaint !== undefined && life.init !== undefined ? life.firstPaint - life.init : NaN;
    const { commit = NaN, paint = NaN, frame = NaN } = marks;
    return { commit, paint, frame, site, rendererPaint: paintLag, cpuS };
  } finally {
    await rb.close();
  }
}

async function waitFor(ok: () => boolean, ms: number): Promise<void> {
  for (const end = Date.now() + ms; !ok(); await sleep(5)) if (Date.now() > end) throw new Error('timed out');
}

const rounds = Number(process.argv[2] ?? 5);
const names = process.argv[3]?.split(',') ?? Object.keys(VARIANTS);
const pages = await startPerfPages();
const wordServer = createServer((_q, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end('<!doctype html><title>word</title><body style="margin:0;background:rgb(0,128,255)">word');
});
await new Promise<void>((r) => wordServer.listen(0, '127.0.0.1', () => r()));
const wordUrl = `http://127.0.0.1:${(wordServer.address() as { port: number }).port}/`;
const dir = mkdtempSync(join(tmpdir(), 'moatless-first-paint-'));
chmodSync(dir, 0o755);
process.stderr.write(`load average ${loadavg().map((n) => n.toFixed(1)).join(' ')}\n`);
const got = new Map(names.map((n) => [n, [] as Sample[]]));
try {
  for (let r = 0; r < rounds; r++) {
    for (const n of r % 2 ? [...names].reverse() : names) {
      const s = await once(dir, VARIANTS[n]!, VARIANTS[n]!.page === 'word' ? wordUrl : pages.colour);
      got.get(n)!.push(s);
      process.stderr.write(`  ${r + 1} ${n}: commit ${s.commit.toFixed(0)} paint ${s.paint.toFixed(0)} `
        + `site frame ${s.site.toFixed(0)} ms\n`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  await pages.close();
  wordServer.close();
}
const f = (xs: number[]) => { const v = xs.filter(Number.isFinite); return v.length ? median(v).toFixed(0) : '-'; };
for (const [n, xs] of got) {
  const m = (k: keyof Sample) => f(xs.map((x) => x[k]));
  process.stdout.write(`${n.padEnd(18)} after the navigation is sent (medians of ${xs.length}, ms): committed ${m('commit')}, `
    + `first paint ${m('paint')} (renderer: init → first paint ${m('rendererPaint')}), first frame after the commit ${m('frame')}, `
    + `site's frame ${m('site')} (${xs.map((x) => x.site.toFixed(0)).join(' ')}); `
    + `browser CPU in the first second ${(median(xs.map((x) => x.cpuS)) * 1000).toFixed(0)} ms\n`);
}
process.stderr.write(`load average ${loadavg().map((n) => n.toFixed(1)).join(' ')}\n`);
