// Requests/s and latency of the tunnel benchmark: wrk against each path in turn, interleaved rounds
// (warm-up, c50, c1), medians per path, and the CPU time per request of the Moatless processes each
// path runs through (the edge; the edge and the connector) — steadier than requests/s on a shared
// box. Refuses a run with any non-2xx answer: that measured an error page, not the app.
// Benchmark support only.
import { groupCpuMs } from '../lib/procs.ts';
import { median } from '../lib/stats.ts';
import { runWrk } from '../lib/wrk.ts';
import type { WrkResult } from '../lib/wrk-parse.ts';
import type { Target } from './bulk.ts';
import type { PathFigures } from './report.ts';

export interface Timing { warmS: number; c50S: number; c1S: number; rounds: number }

/** `pgids`: the process groups this path's requests run through (read at measure time: the edge restarts). */
export async function measurePaths(wrk: string, paths: { name: string; t: Target; pgids: () => number[] }[], T: Timing,
  log: (s: string) => void): Promise<PathFigures[]> {
  const runs = paths.map(() => new Map<number, WrkResult[]>());
  const cpu = paths.map(() => [] as number[]);
  const cpuNow = async (pgids: number[]) => (await Promise.all(pgids.map(groupCpuMs))).reduce((a, b) => a + b, 0);
  for (let round = 1; round <= T.rounds; round++) {
    for (const [i, p] of paths.entries()) {
      log(`  round ${round}/${T.rounds}: ${p.name}`);
      const headers = { Host: `${p.t.host}:${p.t.port}`, Cookie: p.t.cookie };
      const run = { url: `http://127.0.0.1:${p.t.port}/`, headers };
      await runWrk(wrk, { ...run, connections: 50, seconds: T.warmS });
      for (const c of [50, 1]) {
        const cpu0 = c === 50 ? await cpuNow(p.pgids()) : 0;
        const r = await runWrk(wrk, { ...run, connections: c, seconds: c === 50 ? T.c50S : T.c1S });
        if (c === 50) cpu[i]!.push(((await cpuNow(p.pgids())) - cpu0) * 1000 / Math.max(1, r.requests));
        if (r.non2xx > 0) throw new Error(`${p.name}: ${r.non2xx} non-2xx answers (the setup is wrong)`);
        runs[i]!.set(c, [...(runs[i]!.get(c) ?? []), r]);
      }
    }
  }
  return paths.map((p, i) => {
    const m = (c: number, f: (r: WrkResult) => number) => median((runs[i]!.get(c) ?? []).map(f));
    return { name: p.name, rps: m(50, (r) => r.rps), p50: m(50, (r) => r.p50Ms), p99: m(50, (r) => r.p99Ms),
      p50c1: m(1, (r) => r.p50Ms), cpuUsPerReq: median(cpu[i]!) };
  });
}
