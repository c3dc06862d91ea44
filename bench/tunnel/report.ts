// The tunnel benchmark's printed tables and verdicts. Pure formatting of the measured figures;
// must not measure anything.
import { median } from '../lib/stats.ts';
import { fmtInt, fmtMs, fmtRatio, mark, table } from '../lib/table.ts';
import type { Transfer } from './bulk.ts';

export const GOAL_RATIO = 0.7;
/** Peak RSS growth above this during a transfer counts as unbounded (the transfer is 1 GiB). */
export const RSS_BOUND_MIB = 128;
const MIB = 1024 ** 2;

export interface PathFigures {
  name: string; rps: number; p50: number; p99: number; p50c1: number;
  /** CPU µs per request at c50 of the Moatless processes on the path (edge; edge + connector). */
  cpuUsPerReq: number;
}
export interface BulkFigures { dir: string; t: Transfer; rss: number[] }
export interface ReconnectFigures { downMs: number; reconnectMs: number; allMs: number }

export function report(o: {
  rounds: number; bulkBytes: number; bulkS: number;
  direct: PathFigures; tunnel: PathFigures; bulk: BulkFigures[]; reconnects: ReconnectFigures[];
}): string {
  const { direct, tunnel } = o;
  const ratio = tunnel.rps / direct.rps;
  const lines = [
    `\nTunnel vs direct (same Access app and session, 1 KB nginx backend, one connector with 2 connections, ` +
      `medians of ${o.rounds})`,
    table(['path', 'req/s c50', 'vs direct', 'p50 c50 ms', 'p99 c50 ms', 'p50 c1 ms', 'Moatless CPU µs/req'], [direct, tunnel].map((p) =>
      [p.name, fmtInt(p.rps), fmtRatio(p.rps / direct.rps), fmtMs(p.p50), fmtMs(p.p99), fmtMs(p.p50c1), fmtInt(p.cpuUsPerReq)])),
    `tunnel req/s ≥ ${GOAL_RATIO}× direct: ${fmtRatio(ratio)} — ${mark(ratio >= GOAL_RATIO)}; ` +
      `added latency (p50 at c1): ${fmtMs(tunnel.p50c1 - direct.p50c1)} ms`,
    `CPU per request (edge + connector vs edge alone): ${fmtRatio(tunnel.cpuUsPerReq / direct.cpuUsPerReq)} ` +
      '(steadier than req/s on a shared machine)',
    `\nBulk transfers through the tunnel (target ${o.bulkBytes / MIB} MiB each way, at most ${o.bulkS} s each)`,
    table(['direction', 'MiB moved', 'seconds', 'MB/s', 'edge RSS +MiB', 'connector RSS +MiB', 'complete'],
      o.bulk.map((b) => [
        b.dir, (b.t.bytes / MIB).toFixed(0), (b.t.ms / 1000).toFixed(1), (b.t.bytes / 1e6 / (b.t.ms / 1000)).toFixed(1),
        (b.rss[0]! / MIB).toFixed(1), (b.rss[1]! / MIB).toFixed(1),
        b.t.complete ? 'yes' : 'NO (stopped at the time limit)',
      ])),
  ];
  const peak = Math.max(...o.bulk.flatMap((b) => b.rss)) / MIB;
  lines.push(`bounded memory (peak RSS growth < ${RSS_BOUND_MIB} MiB in each process): ${peak.toFixed(1)} MiB — ` +
    mark(peak < RSS_BOUND_MIB));
  lines.push('\nReconnect after an edge restart (SIGTERM, start again on the same port; ' +
    `${o.reconnects.length} restart(s))`);
  lines.push(table(['restart', 'edge down ms', 'listening → first 200 ms', 'listening → both connections ms'],
    o.reconnects.map((r, i) => [String(i + 1), fmtInt(r.downMs), fmtInt(r.reconnectMs), fmtInt(r.allMs)])));
  lines.push(`median reconnect (listening → first request through the tunnel): ` +
    `${fmtInt(median(o.reconnects.map((r) => r.reconnectMs)))} ms (the connector retries with 0.5 s doubling ` +
    'backoff and full jitter, so this depends on how long the edge was down)');
  return `${lines.join('\n')}\n`;
}
