// The Access throughput section: wrk against each target (the upstream direct, nginx proxy_pass and
// auth_request, Moatless in its configurations) on an authenticated session. Every target is first
// warmed up for `firstWarmS` (the JIT settles; rounds then agree), then configurations interleave
// round-robin, `rounds` times; the report takes medians. `after(phase)` runs after the warm-up (0)
// and after each round (1…).
//
// Interleaving leaves each process idle for a minute or two between its windows, and an idle Node
// process is not the one that served the last window: V8's memory reducer shrinks its young
// generation (128 MB of new space → 1 MB after 60 s idle, RSS 289 → 190 MB), so the next window
// paid for regrowing it (more scavenges, more promotion) — Moatless rows spread 25–70% while
// nginx's stayed within 6%. So before each window a target is warmed in 1 s slices until it is back
// in its steady state (`settle`), every benchmark process must be quiet (`quiesce`: nothing of the
// previous configuration still running), and the window's CPU is read once the target is quiet
// again, so work it deferred (the log thread's backlog) is counted where it was caused.
import type { WrkResult } from '../lib/wrk-parse.ts';
import { runWrk } from '../lib/wrk.ts';
import { groupCpuMs, groupsStat } from '../lib/procs.ts';
import { median, spreadPct } from '../lib/stats.ts';

export interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  /** Also measure one connection (latency); default true. */
  c1?: boolean;
  /** The server's process group: its CPU time per request is measured at c50. */
  pgid?: number;
  /** A Node server's young generation (bytes) and V8's ceiling for it: the pre-window warm-up regrows it. */
  youngGen?: { bytes(): Promise<number>; ceiling: number };
  /** Runs right after this target's c50 window of each round (the bench reads RSS there). */
  afterWindow?: (round: number) => Promise<void>;
}

export interface Timing {
  firstWarmS: number;
  /** Least warm-up before each window (s); it goes on in 1 s slices until the target is settled. */
  warmS: number;
  /** Most warm-up before each window (s), settled or not (the summary says how long it took). */
  maxWarmS: number;
  /** Settled: the last two 1 s slices' CPU µs/req agree within this many percent. */
  settlePct: number;
  /** false: the old schedule (a fixed `warmS`, no quiet check, CPU read as wrk ends), for comparing spreads. */
  settle?: boolean;
  c50S: number;
  c1S: number;
  rounds: number;
}

export interface Summary {
  name: string;
  conn: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  spreadPct: number;
  non2xx: number;
  /** Median CPU time of the server per request at c50 (µs), when its process group is known. */
  cpuUsPerReq?: number;
  /** CPU µs per request of each round (c50), in round order like `runs`. */
  cpuRuns?: number[];
  /** Seconds of pre-window warm-up each round needed to settle (c50 rows). */
  warmRuns?: number[];
  runs: WrkResult[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until no process group in `pgids` used more than 40 ms of CPU over 500 ms (8% of a core; an
 * idle Moatless cluster's pollers use 2-6%) and none is running at the end of it, or `maxMs`: the
 * previous configuration's processes (nginx flushing its log, a log thread's backlog, a GC) must not
 * share the CPU with the next window. Returns the milliseconds waited.
 */
export async function quiesce(pgids: number[], maxMs = 5_000): Promise<number> {
  const t0 = Date.now();
  let before = (await groupsStat(pgids)).cpuMs;
  while (Date.now() - t0 < maxMs) {
    await sleep(500);
    const now = await groupsStat(pgids);
    if (now.cpuMs.every((c, i) => c - before[i]! <= 40) && !now.running.some(Boolean)) break;
    before = now.cpuMs;
  }
  return Date.now() - t0;
}

/** Warms `target` at c50 in 1 s slices until settled (see Timing); returns the seconds it took. */
async function settle(wrk: string, target: Target, t: Timing): Promise<number> {
  const cpus: number[] = [];
  for (let s = 1; ; s++) {
    const c0 = target.pgid ? await groupCpuMs(target.pgid) : 0;
    const r = await runWrk(wrk, { url: target.url, headers: target.headers, connections: 50, seconds: 1 });
    if (target.pgid) cpus.push(((await groupCpuMs(target.pgid)) - c0) * 1000 / Math.max(1, r.requests));
    if (s >= t.maxWarmS) return s;
    if (s < t.warmS) continue;
    const [a, b] = cpus.slice(-2);
    const steady = !target.pgid || (a !== undefined && b !== undefined && Math.abs(b - a) <= (t.settlePct / 100) * a);
    const grown = !target.youngGen || (await target.youngGen.bytes()) >= target.youngGen.ceiling;
    if (steady && grown) return s;
  }
}

export async function measureAll(wrk: string, targets: Target[], t: Timing, log: (s: string) => void, after?: (phase: number) => Promise<void>): Promise<Summary[]> {
  const runs = new Map<string, WrkResult[]>();
  const add = (k: string, r: WrkResult) => runs.set(k, [...(runs.get(k) ?? []), r]);
  const cpus = new Map<string, number[]>();
  const warms = new Map<string, number[]>();
  const push = (m: Map<string, number[]>, k: string, v: number) => m.set(k, [...(m.get(k) ?? []), v]);
  const pgids = [...new Set(targets.flatMap((x) => (x.pgid ? [x.pgid] : [])))];
  log(`  warm-up: ${t.firstWarmS}s at c50 per target`);
  for (const target of targets) await runWrk(wrk, { url: target.url, headers: target.headers, connections: 50, seconds: t.firstWarmS });
  await after?.(0);
  for (let round = 1; round <= t.rounds; round++) {
    for (const target of targets) {
      const fixed = t.settle === false;
      const warmed = fixed ? t.warmS : await settle(wrk, target, t);
      if (fixed) await runWrk(wrk, { url: target.url, headers: target.headers, connections: 50, seconds: t.warmS });
      push(warms, target.name, warmed);
      const waited = fixed ? 0 : await quiesce(pgids);
      log(`  round ${round}/${t.rounds}: ${target.name} (warm-up ${warmed}s, quiet after ${waited} ms)`);
      const cpu0 = target.pgid ? await groupCpuMs(target.pgid) : 0;
      const r50 = await runWrk(wrk, { url: target.url, headers: target.headers, connections: 50, seconds: t.c50S });
      if (target.pgid) {
        if (!fixed) await quiesce([target.pgid]); // what the window deferred (log lines, rows) belongs to it
        push(cpus, target.name, ((await groupCpuMs(target.pgid)) - cpu0) * 1000 / r50.requests);
      }
      await target.afterWindow?.(round);
      add(`${target.name}|50`, r50);
      if (target.c1 === false) continue;
      add(`${target.name}|1`, await runWrk(wrk, { url: target.url, headers: target.headers, connections: 1, seconds: t.c1S }));
    }
    await after?.(round);
  }
  const out: Summary[] = [];
  for (const target of targets) {
    for (const conn of [50, 1]) {
      const rs = runs.get(`${target.name}|${conn}`) ?? [];
      if (rs.length === 0) continue;
      out.push({
        name: target.name, conn, runs: rs,
        rps: median(rs.map((r) => r.rps)), p50Ms: median(rs.map((r) => r.p50Ms)), p99Ms: median(rs.map((r) => r.p99Ms)),
        spreadPct: spreadPct(rs.map((r) => r.rps)),
        non2xx: rs.reduce((n, r) => n + r.non2xx + r.socketErrors.timeout, 0),
        ...(conn === 50 && cpus.has(target.name) ? { cpuUsPerReq: median(cpus.get(target.name)!), cpuRuns: cpus.get(target.name)! } : {}),
        ...(conn === 50 ? { warmRuns: warms.get(target.name) ?? [] } : {}),
      });
    }
  }
  return out;
}
