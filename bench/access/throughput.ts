// The Access throughput section: wrk against each target (the upstream direct, nginx proxy_pass and
// auth_request, Moatless in its configurations) on an authenticated session. Every target is first
// warmed up for `firstWarmS` (the JIT settles; rounds then agree), then configurations interleave
// round-robin, `rounds` times; the report takes medians. `after(phase)` runs after the warm-up (0)
// and after each round (1…): the bench reads RSS there.
import type { WrkResult } from '../lib/wrk-parse.ts';
import { runWrk } from '../lib/wrk.ts';
import { groupCpuMs } from '../lib/procs.ts';
import { median, spreadPct } from '../lib/stats.ts';

export interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  /** Also measure one connection (latency); default true. */
  c1?: boolean;
  /** The server's process group: its CPU time per request is measured at c50. */
  pgid?: number;
}

export interface Timing {
  firstWarmS: number;
  warmS: number;
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
  runs: WrkResult[];
}

export async function measureAll(wrk: string, targets: Target[], t: Timing, log: (s: string) => void, after?: (phase: number) => Promise<void>): Promise<Summary[]> {
  const runs = new Map<string, WrkResult[]>();
  const add = (k: string, r: WrkResult) => runs.set(k, [...(runs.get(k) ?? []), r]);
  const cpus = new Map<string, number[]>();
  log(`  warm-up: ${t.firstWarmS}s at c50 per target`);
  for (const target of targets) await runWrk(wrk, { url: target.url, headers: target.headers, connections: 50, seconds: t.firstWarmS });
  await after?.(0);
  for (let round = 1; round <= t.rounds; round++) {
    for (const target of targets) {
      log(`  round ${round}/${t.rounds}: ${target.name}`);
      await runWrk(wrk, { url: target.url, headers: target.headers, connections: 50, seconds: t.warmS });
      const cpu0 = target.pgid ? await groupCpuMs(target.pgid) : 0;
      const r50 = await runWrk(wrk, { url: target.url, headers: target.headers, connections: 50, seconds: t.c50S });
      if (target.pgid) cpus.set(target.name, [...(cpus.get(target.name) ?? []), ((await groupCpuMs(target.pgid)) - cpu0) * 1000 / r50.requests]);
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
      });
    }
  }
  return out;
}
