// The access log's cost, measured on its own after the throughput rounds. In those rounds the
// log-on and log-off rows are one pair per round, three pairs in all, and Moatless rows spread
// 20-60% between rounds on a noisy box: the goal's verdict flipped between runs minutes apart
// (-15%, 9.3%, 18.8% in session 11's three runs). Here the two processes alternate in short windows
// back to back, many times, the order flipped every pair (drift in the machine's speed falls on
// both sides alike), and the goal reads the median of the per-pair ratios.
import { runWrk } from '../lib/wrk.ts';
import { groupCpuMs } from '../lib/procs.ts';
import { median } from '../lib/stats.ts';
import { quiesce, type Target } from './throughput.ts';

export interface LogCostWindow { cpuUsPerReq: number; rps: number }
export interface LogCostPair { on: LogCostWindow; off: LogCostWindow }

export interface LogCost {
  pairs: LogCostPair[];
  /** Median over pairs of CPU µs/req on / off. */
  cpuRatio: number;
  /** Median over pairs of rps on / off. */
  rpsRatio: number;
  /** Throughput lost at equal CPU: 1 − off / on CPU per request. */
  cost: number;
}

export function logCostOf(pairs: LogCostPair[]): LogCost {
  const cpuRatio = median(pairs.map((p) => p.on.cpuUsPerReq / p.off.cpuUsPerReq));
  const rpsRatio = median(pairs.map((p) => p.on.rps / p.off.rps));
  return { pairs, cpuRatio, rpsRatio, cost: 1 - 1 / cpuRatio };
}

/** One c50 window: a 1 s warm-up (the process sat idle while the other ran), then `seconds` measured; CPU read once its deferred work is done. */
async function window(wrk: string, t: Target & { pgid: number }, seconds: number): Promise<LogCostWindow> {
  await runWrk(wrk, { url: t.url, headers: t.headers, connections: 50, seconds: 1 });
  await quiesce([t.pgid], 2_000);
  const c0 = await groupCpuMs(t.pgid);
  const r = await runWrk(wrk, { url: t.url, headers: t.headers, connections: 50, seconds });
  await quiesce([t.pgid], 2_000); // the log thread's backlog belongs to the window that caused it
  return { cpuUsPerReq: ((await groupCpuMs(t.pgid)) - c0) * 1000 / Math.max(1, r.requests), rps: r.rps };
}

export async function measureLogCost(
  wrk: string, on: Target & { pgid: number }, off: Target & { pgid: number }, pairs: number, seconds: number, log: (s: string) => void,
): Promise<LogCost> {
  const out: LogCostPair[] = [];
  for (let i = 0; i < pairs; i++) {
    const onFirst = i % 2 === 0;
    const first = await window(wrk, onFirst ? on : off, seconds);
    const second = await window(wrk, onFirst ? off : on, seconds);
    const pair = onFirst ? { on: first, off: second } : { on: second, off: first };
    out.push(pair);
    log(`  log cost pair ${i + 1}/${pairs}: CPU µs/req on ${pair.on.cpuUsPerReq.toFixed(0)}, off ${pair.off.cpuUsPerReq.toFixed(0)}`);
  }
  return logCostOf(out);
}
