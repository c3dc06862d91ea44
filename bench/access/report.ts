// Turns measured numbers into the printed tables and the goal verdicts (Foundation issue goals).
// Pure: no I/O beyond returning strings and plain objects.
import { fmtInt, fmtMs, fmtRatio, mark, table } from '../lib/table.ts';
import type { DecisionTiming } from './decision-timing.ts';
import type { OverageResult } from './overage.ts';
import type { RssResult } from './rss.ts';
import type { Summary } from './throughput.ts';

export interface Goal {
  name: string;
  value: string;
  goal: string;
  met: boolean;
}

export const NAMES = { direct: 'direct (nginx static 1 KB)', proxy: 'nginx proxy_pass (2w)', authreq: 'nginx auth_request + jose (2w)', m10: 'moatless, 10 apps', m10k: 'moatless, 10,000 apps', m10w2: 'moatless, 10 apps, 2 workers' } as const;

function pick(s: Summary[], name: string, conn: number): Summary {
  const r = s.find((x) => x.name === name && x.conn === conn);
  if (!r) throw new Error(`no result for ${name} c${conn}`);
  return r;
}

export function throughputTable(s: Summary[]): string {
  const proxy = pick(s, NAMES.proxy, 50);
  return table(['config', 'conn', 'rps (median)', 'spread', 'p50 ms', 'p99 ms', 'vs nginx proxy', 'errors'],
    s.map((r) => [r.name, `c${r.conn}`, fmtInt(r.rps), `${r.spreadPct.toFixed(0)}%`, fmtMs(r.p50Ms), fmtMs(r.p99Ms), r.conn === 50 ? fmtRatio(r.rps / proxy.rps) : '', String(r.non2xx)]));
}

export function accessGoals(s: Summary[], d: DecisionTiming[]): Goal[] {
  const m50 = pick(s, NAMES.m10, 50), m1 = pick(s, NAMES.m10, 1), k50 = pick(s, NAMES.m10k, 50), w50 = pick(s, NAMES.m10w2, 50);
  const proxy50 = pick(s, NAMES.proxy, 50), auth50 = pick(s, NAMES.authreq, 50), direct1 = pick(s, NAMES.direct, 1);
  const vsProxy = m50.rps / proxy50.rps;
  const added = m1.p50Ms - direct1.p50Ms;
  const d10 = d.find((x) => x.apps === 10)!, d10k = d.find((x) => x.apps === 10_000)!;
  return [
    { name: 'moatless / nginx-proxy (c50 rps)', value: fmtRatio(vsProxy), goal: '≥ 0.5× (stretch 0.7×)', met: vsProxy >= 0.5 },
    { name: 'moatless / nginx-proxy, stretch', value: fmtRatio(vsProxy), goal: '≥ 0.7×', met: vsProxy >= 0.7 },
    { name: 'moatless / nginx auth_request (c50 rps)', value: fmtRatio(m50.rps / auth50.rps), goal: '≥ 2×', met: m50.rps / auth50.rps >= 2 },
    { name: 'moatless 2 workers / nginx-proxy (c50 rps)', value: fmtRatio(w50.rps / proxy50.rps), goal: '≥ 0.5× (stretch 0.7×)', met: w50.rps / proxy50.rps >= 0.5 },
    { name: 'moatless 2 workers / 1 process (c50 rps)', value: fmtRatio(w50.rps / m50.rps), goal: '≥ 1.3× (perf-baseline.md)', met: w50.rps / m50.rps >= 1.3 },
    { name: 'p99 at c50, 2 workers / nginx-proxy p99', value: fmtRatio(w50.p99Ms / proxy50.p99Ms), goal: '≤ 3×', met: w50.p99Ms / proxy50.p99Ms <= 3 },
    { name: 'added p50 at c1 over direct', value: `${added.toFixed(3)} ms`, goal: '≤ 0.3 ms', met: added <= 0.3 },
    { name: 'p99 at c50 / nginx-proxy p99', value: fmtRatio(m50.p99Ms / proxy50.p99Ms), goal: '≤ 3×', met: m50.p99Ms / proxy50.p99Ms <= 3 },
    // Differences under ~20% are noise on this box (perf-baseline.md "Noise").
    { name: 'rps 10,000 apps / 10 apps', value: fmtRatio(k50.rps / m50.rps), goal: '≥ 0.8× (flat within noise)', met: k50.rps / m50.rps >= 0.8 },
    { name: 'decision time 10,000 / 10 apps', value: fmtRatio(d10k.nsPerDecision / d10.nsPerDecision), goal: '≤ 1.2× (flat)', met: d10k.nsPerDecision / d10.nsPerDecision <= 1.2 },
  ];
}

export function goalsTable(goals: Goal[]): string {
  return table(['goal', 'measured', 'target', 'verdict'], goals.map((g) => [g.name, g.value, g.goal, mark(g.met)]));
}

export function decisionTable(d: DecisionTiming[]): string {
  return table(['apps configured', 'ns / decision', 'decisions / s (1 core)'], d.map((x) => [fmtInt(x.apps), x.nsPerDecision.toFixed(0), fmtInt(x.decisionsPerSec)]));
}

export function rssTable(r: RssResult): string {
  const mb = (b: number) => `${(b / 1048576).toFixed(1)} MB`;
  return table(['live sessions', 'in cache', 'RSS idle', 'RSS with sessions', 'heap used', 'per session', 'touch time'],
    [[fmtInt(r.sessions), fmtInt(r.cached), mb(r.rssIdleBytes), mb(r.rssBytes), mb(r.heapUsedBytes), `${fmtInt(r.bytesPerSession)} B`, `${(r.touchMs / 1000).toFixed(1)} s`]]);
}

export function overageGoal(o: OverageResult): Goal {
  if (!o.graphPerSignIn) return { name: 'Graph round trips per overage sign-in', value: `sign-in failed: ${o.error}`, goal: '≤ 1 per user per session', met: false };
  const worst = Math.max(...o.graphPerSignIn);
  return { name: 'Graph round trips per overage sign-in', value: `${o.graphPerSignIn.join(', ')} (then ${o.graphDuringRequests} over ${o.requestsAfterSignIn} requests)`, goal: '≤ 1 per user per session', met: worst <= 1 && o.graphDuringRequests === 0 };
}
