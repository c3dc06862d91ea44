// Chromium start-up cost per command-line variant, for choosing launch flags on evidence: each
// variant is started as the isolation account with the sandbox on (the remote browser's own flags,
// chromium-flags.ts, plus the variant's), rounds interleaved (order alternating) so all variants see
// the same load. Reports wall time to the DevTools answer and to the first tab, and the CPU the
// whole process tree has used 1.5 s later — the figure that travels across a loaded machine.
// Usage: node bench/isolation/launch-variants.ts [rounds] [variant,variant...]. Must not: pass
// `--no-sandbox` or any other FORBIDDEN_FLAGS.
import { spawn } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { CdpConnection } from '../../src/isolation/cdp-pipe.ts';
import { chromiumFlags, FORBIDDEN_FLAGS } from '../../src/isolation/chromium-flags.ts';
import { readProcTable, treeOf, usageOf } from '../../src/isolation/process-tree.ts';
import { resolveRunAs } from '../../src/isolation/run-as.ts';
import { median } from '../lib/stats.ts';

/** Puppeteer's default switches that do not touch the sandbox, proxy or security. */
const PUPPETEER = ['--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows',
  '--disable-ipc-flooding-protection', '--disable-hang-monitor', '--disable-client-side-phishing-detection', '--disable-domain-reliability',
  '--disable-component-extensions-with-background-pages', '--metrics-recording-only', '--no-service-autorun', '--disable-field-trial-config'];
/** More background features off (appended to the existing --disable-features list). */
const FEATURES = ['OptimizationGuideModelDownloading', 'OptimizationHintsFetching', 'OptimizationTargetPrediction',
  'CertificateTransparencyComponentUpdater', 'DialMediaRouteProvider', 'InterestFeedContentSuggestions', 'LensOverlay'];

interface Variant { bin: string; extra: string[]; features: string[] }
const VARIANTS: Record<string, Variant> = {
  // Debian's /usr/bin/chromium is a shell script (reads /etc/chromium.d, runs grep, findmnt, ls) that execs the binary.
  wrapper: { bin: '/usr/bin/chromium', extra: [], features: [] },
  direct: { bin: '/usr/lib/chromium/chromium', extra: [], features: [] },
  'direct+puppeteer': { bin: '/usr/lib/chromium/chromium', extra: PUPPETEER, features: [] },
  'direct+features': { bin: '/usr/lib/chromium/chromium', extra: [], features: FEATURES },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startOnce(v: Variant): Promise<{ answerMs: number; tabMs: number; cpuS: number }> {
  const runAs = resolveRunAs('moatless-rbi');
  const profileDir = mkdtempSync(join(tmpdir(), 'moatless-rbi-launch-'));
  if (runAs) chownSync(profileDir, runAs.uid, runAs.gid);
  const args = chromiumFlags({ profileDir, proxy: null, rendererHeapMb: 512 })
    .map((a) => (a.startsWith('--disable-features=') && v.features.length ? `${a},${v.features.join(',')}` : a));
  args.splice(1, 0, ...v.extra);
  if (args.some((a) => FORBIDDEN_FLAGS.some((f) => a.startsWith(f)))) throw new Error('a variant may not weaken the sandbox');
  const t0 = performance.now();
  const child = spawn(v.bin, args, {
    detached: true, stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
    env: { HOME: profileDir, PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', TMPDIR: profileDir }, ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
  });
  try {
    const cdp = new CdpConnection(child.stdio[4] as Readable, child.stdio[3] as Writable);
    await cdp.send('Browser.getVersion');
    const answerMs = performance.now() - t0;
    const tab = new Promise<void>((res) => cdp.on('Target.attachedToTarget', (p) => { if ((p.targetInfo as { type: string }).type === 'page') res(); }));
    await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: true });
    await tab;
    const tabMs = performance.now() - t0;
    await sleep(1500);
    return { answerMs, tabMs, cpuS: usageOf(treeOf(child.pid!, readProcTable())).cpuSeconds };
  } finally {
    try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ }
    await sleep(400);
    rmSync(profileDir, { recursive: true, force: true });
  }
}

const rounds = Number(process.argv[2] ?? 5);
const names = process.argv[3]?.split(',') ?? Object.keys(VARIANTS);
const got = new Map(names.map((n) => [n, [] as Array<{ answerMs: number; tabMs: number; cpuS: number }>]));
for (let r = 0; r < rounds; r++) {
  for (const n of r % 2 ? [...names].reverse() : names) got.get(n)!.push(await startOnce(VARIANTS[n]!));
}
for (const [n, xs] of got) {
  const m = (k: 'answerMs' | 'tabMs' | 'cpuS') => median(xs.map((x) => x[k]));
  process.stdout.write(`${n.padEnd(18)} DevTools answer ${m('answerMs').toFixed(0)} ms, first tab ${m('tabMs').toFixed(0)} ms, tree CPU ${m('cpuS').toFixed(2)} s (medians of ${xs.length}; CPU ${xs.map((x) => x.cpuS.toFixed(2)).join(' ')})\n`);
}
