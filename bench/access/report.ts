// Turns measured numbers into the printed tables and the goal verdicts (issue 17's and the Foundation
// issue's goals).
// Pure: no I/O beyond returning strings and plain objects.
import type { YoungGenSettle } from './young-gen.ts';
import { fmtInt, fmtMs, fmtRatio, mark, table } from '../lib/table.ts';
import type { DecisionTiming } from './decision-timing.ts';
import type { OverageResult } from './overage.ts';
import type { RssResult } from './rss.ts';
import type { Summary } from './throughput.ts';
import type { LogCost } from './log-cost.ts';
import { median, spreadPct } from '../lib/stats.ts';

export interface Goal {
  name: string;
  value: string;
  goal: string;
  met: boolean;
  /** A figure shown for context, with no target: no verdict. */
  info?: true;
  /** Not met: what the same run shows is left (the floors' figures on the same measure). */
  left?: string;
}

export const NAMES = {
  direct: 'direct (nginx static 1 KB)',
  ngx1: 'nginx proxy_pass, log on', ngx1off: 'nginx proxy_pass, log off', ngxTls: 'nginx TLS + proxy_pass, log on',
  ngx2: 'nginx proxy_pass 2w, log on', authreq: 'nginx auth_request + jose 2w',
  m1: 'moatless, log on', m1off: 'moatless, log off', mTls: 'moatless TLS, log on',
  m2: 'moatless 2w, log on', m10k: 'moatless 10,000 apps, log on',
  floorUndici: 'floor: node:http + undici Pool', floorAgent: 'floor: node:http + http.Agent lifo',
  floorTls: 'floor TLS: node:https + undici Pool',
  floorLean: 'floor: Moatless transport (src/http1)', floorLeanTls: 'floor TLS: Moatless transport (src/http1)',
} as const;

/** The nginx row each Moatless row is held against: same log setting, worker count and scheme. */
const REFERENCE: Record<string, string> = {
  [NAMES.m1]: NAMES.ngx1, [NAMES.m1off]: NAMES.ngx1off, [NAMES.mTls]: NAMES.ngxTls, [NAMES.m2]: NAMES.ngx2,
  [NAMES.m10k]: NAMES.ngx1, [NAMES.authreq]: NAMES.ngx2,
  [NAMES.floorUndici]: NAMES.ngx1, [NAMES.floorAgent]: NAMES.ngx1, [NAMES.floorTls]: NAMES.ngxTls,
  [NAMES.floorLean]: NAMES.ngx1, [NAMES.floorLeanTls]: NAMES.ngxTls,
};

function pick(s: Summary[], name: string, conn: number): Summary {
  const r = s.find((x) => x.name === name && x.conn === conn);
  if (!r) throw new Error(`no result for ${name} c${conn}`);
  return r;
}

export function throughputTable(s: Summary[]): string {
  const vs = (r: Summary) => {
    const ref = REFERENCE[r.name] ? s.find((x) => x.name === REFERENCE[r.name] && x.conn === r.conn) : undefined;
    return ref ? `${fmtRatio(r.rps / ref.rps)} / ${fmtRatio(r.p99Ms / ref.p99Ms)}` : '';
  };
  const cpu = (r: Summary) => (r.cpuUsPerReq === undefined ? '' : `${r.cpuUsPerReq.toFixed(0)} (${spreadPct(r.cpuRuns ?? []).toFixed(0)}%)`);
  const warm = (r: Summary) => (r.warmRuns?.length ? r.warmRuns.join('/') : '');
  return table(['config', 'conn', 'rps (median)', 'spread', 'p50 ms', 'p99 ms', 'vs nginx: rps / p99', 'CPU µs/req (spread)', 'warm-up s', 'errors'],
    s.map((r) => [r.name, `c${r.conn}`, fmtInt(r.rps), `${r.spreadPct.toFixed(0)}%`, fmtMs(r.p50Ms), fmtMs(r.p99Ms), vs(r), cpu(r), warm(r), String(r.non2xx)]));
}

/**
 * On vs off, paired round by round (the two ran back to back, so they shared the machine's load of
 * the moment), then the median over rounds: steadier than a ratio of two medians.
 */
export function pairedRatio(on: Summary, off: Summary): { rps: number; cpu: number } {
  const rps = on.runs.map((r, i) => r.rps / (off.runs[i]?.rps ?? NaN));
  const cpu = (on.cpuRuns ?? []).map((c, i) => c / (off.cpuRuns?.[i] ?? NaN));
  return { rps: median(rps), cpu: cpu.length ? median(cpu) : NaN };
}

/** Log on and log off side by side for Moatless and nginx (1 worker, c50), with the on/off ratios. */
export function sideBySideTable(s: Summary[]): string {
  const us = (r: Summary) => (r.cpuUsPerReq === undefined ? 'n/a' : r.cpuUsPerReq.toFixed(0));
  const row = (label: string, on: Summary, off: Summary) => {
    const p = pairedRatio(on, off);
    return [label, fmtInt(on.rps), fmtInt(off.rps), fmtRatio(p.rps), fmtMs(on.p99Ms), fmtMs(off.p99Ms), `${us(on)} / ${us(off)}`, fmtRatio(p.cpu)];
  };
  return table(['1 worker, c50', 'rps log on', 'rps log off', 'rps on / off', 'p99 on', 'p99 off', 'CPU µs/req on / off', 'CPU on / off'], [
    row('nginx proxy_pass', pick(s, NAMES.ngx1, 50), pick(s, NAMES.ngx1off, 50)),
    row('moatless', pick(s, NAMES.m1, 50), pick(s, NAMES.m1off, 50)),
  ]);
}

/** The dedicated log on/off pairs (./log-cost.ts), pair by pair, beside the rounds' pairing above. */
export function logCostLine(lc: LogCost): string {
  const pairs = lc.pairs.map((p) => `${p.on.cpuUsPerReq.toFixed(0)}/${p.off.cpuUsPerReq.toFixed(0)}`).join(', ');
  return `moatless log on / off, ${lc.pairs.length} alternating pairs: CPU ${fmtRatio(lc.cpuRatio)} (µs/req on/off: ${pairs}), rps ${fmtRatio(lc.rpsRatio)} (medians of the pairs' ratios)`;
}

/**
 * The floor (--floor): each minimal Node proxy against nginx (what Node allows here), and Moatless
 * log on against the floor on the same client (what Moatless's own code costs), paired by round.
 * Empty when the floor was not measured.
 */
export function floorLines(s: Summary[]): string {
  const get = (name: string) => s.find((x) => x.name === name && x.conn === 50);
  const us = (r: Summary | undefined) => (r?.cpuUsPerReq === undefined ? NaN : r.cpuUsPerReq);
  const lines: string[] = [];
  // Each floor against its nginx twin and against the Moatless row on the same scheme.
  const rows: [string, Summary | undefined, Summary | undefined, string][] = [
    [NAMES.floorUndici, get(NAMES.ngx1), get(NAMES.m1), 'moatless log on'],
    [NAMES.floorAgent, get(NAMES.ngx1), get(NAMES.m1), 'moatless log on'],
    [NAMES.floorTls, get(NAMES.ngxTls), get(NAMES.mTls), 'moatless TLS'],
    // Moatless's own transport with no Access logic: Moatless minus this is the request path's own cost.
    [NAMES.floorLean, get(NAMES.ngx1), get(NAMES.m1), 'moatless log on'],
    [NAMES.floorLeanTls, get(NAMES.ngxTls), get(NAMES.mTls), 'moatless TLS'],
  ];
  for (const [name, n, m, mName] of rows) {
    const f = get(name);
    if (!f) continue;
    const vsNginx = n ? `${fmtRatio(pairedRatio(f, n).rps)} ${n.name}'s c50 rps (CPU ${us(f).toFixed(0)} vs ${us(n).toFixed(0)} µs/req)` : 'nginx not measured';
    const gap = m ? `; ${mName} / this floor: ${fmtRatio(pairedRatio(m, f).rps)} rps, +${(us(m) - us(f)).toFixed(0)} µs/req of Moatless's own code` : '';
    lines.push(`${name}: ${vsNginx}${gap}`);
  }
  const plain = [get(NAMES.floorUndici), get(NAMES.floorLean), get(NAMES.m1), get(NAMES.ngx1)];
  const https = [get(NAMES.floorTls), get(NAMES.floorLeanTls), get(NAMES.mTls), get(NAMES.ngxTls)];
  if ((plain[0] && https[0]) || (plain[1] && https[1])) {
    // Same code on both schemes: what terminating TLS adds to bare Node, to the transport, to Moatless and to nginx.
    const adds = plain.map((p, i) => (p && https[i] ? tlsExtra(https[i]!, p) : 'n/a'));
    lines.push(`CPU µs/req TLS adds (HTTPS − HTTP, same code; a process per scheme except nginx): floor ${adds[0]}, transport floor ${adds[1]}, moatless ${adds[2]}, nginx ${adds[3]}`);
  }
  return lines.length === 0 ? '' : `\n== Floor: a minimal Node proxy, 1 process, no auth, no log (c50, paired rounds) ==\n${lines.join('\n')}\n`;
}

/** An A/B row (--baseline, --child-flags) against Moatless log on, paired by round: `on / row`. */
export function abLine(s: Summary[], name: string, against: string = NAMES.m1): string {
  const row = s.find((x) => x.name === name && x.conn === 50), m50 = s.find((x) => x.name === against && x.conn === 50);
  if (!row || !m50) return '';
  const p = pairedRatio(m50, row);
  const perRound = (m50.cpuRuns ?? []).map((c, i) => `${c.toFixed(0)}/${row.cpuRuns?.[i]?.toFixed(0)}`).join(', ');
  return `A/B, ${against} vs ${name} (c50, paired rounds): rps ${fmtRatio(p.rps)}, CPU µs/req ${fmtRatio(p.cpu)} (rounds: ${perRound})\n`;
}

/** RSS of the log-on Moatless process after the warm-up ([0]) and after each round ([1]…). */
export interface SteadyRss {
  afterBytes: number[];
  /** The log-on process's young generation when its warm-up ended (./young-gen.ts). */
  youngGen?: YoungGenSettle;
}

/**
 * From the end of the warm-up — which lasts until V8's young generation is at its ceiling
 * (./young-gen.ts) — to the end of the last round: what the process keeps under steady load. The
 * line shows every sample.
 */
export function rssGrowth(m: SteadyRss): { from: number; to: number; ratio: number } {
  const from = m.afterBytes[0] ?? NaN;
  const to = m.afterBytes.at(-1) ?? NaN;
  return { from, to, ratio: to / from };
}

export function steadyRssLine(m: SteadyRss): string {
  const mb = (b: number) => `${(b / 1048576).toFixed(1)} MB`;
  const g = rssGrowth(m);
  const samples = m.afterBytes.map((b, i) => `${i === 0 ? 'after warm-up' : `round ${i}`} ${mb(b)}`).join(', ');
  const y = m.youngGen;
  const young = y ? `; V8 new space ${mb(y.newSpaceBytes)} of its ${mb(y.ceilingBytes)} ceiling when the warm-up ended (+${y.extraS}s to grow it${y.newSpaceBytes < y.ceilingBytes ? ': NOT reached, RSS may still step up by the difference' : ''})` : '';
  return `RSS ${samples}; after warm-up → end: ${fmtRatio(g.ratio)}${young}`;
}

/**
 * CPU µs per request of an HTTPS row minus its plain-HTTP twin (same code), paired by round and
 * then the median: a difference of two medians let one disturbed round of either row swing it by
 * tens of µs (+89 in one quiet run, +16 in the next). n/a when either row has no CPU figures.
 */
export function tlsExtra(https: Summary, http: Summary): string {
  const a = https.cpuRuns ?? [], b = http.cpuRuns ?? [];
  const deltas = a.map((x, i) => x - (b[i] ?? NaN)).filter((d) => Number.isFinite(d));
  if (deltas.length === 0) return 'n/a';
  const d = median(deltas);
  return `${d >= 0 ? '+' : ''}${d.toFixed(0)}`;
}

/** Issue 17's goals: 1 vs 1 with the access log on for both, unless the goal says otherwise. */
export function accessGoals(s: Summary[], mem: SteadyRss, dedicated?: LogCost): Goal[] {
  const m50 = pick(s, NAMES.m1, 50), m1 = pick(s, NAMES.m1, 1), off50 = pick(s, NAMES.m1off, 50);
  const n50 = pick(s, NAMES.ngx1, 50), n1 = pick(s, NAMES.ngx1, 1), direct1 = pick(s, NAMES.direct, 1);
  const tls = pick(s, NAMES.mTls, 50), ntls = pick(s, NAMES.ngxTls, 50);
  const w50 = pick(s, NAMES.m2, 50), nw50 = pick(s, NAMES.ngx2, 50);
  // The dedicated alternating pairs when measured (./log-cost.ts), else the rounds' pairs.
  const rounds = pairedRatio(m50, off50);
  const paired = dedicated ? { rps: dedicated.rpsRatio, cpu: dedicated.cpuRatio } : rounds;
  const how = dedicated ? ` (median of ${dedicated.pairs.length} alternating pairs)` : ' (the rounds\' pairs)';
  // CPU per request is what the log adds; rps swings ±40% between identical runs on a shared box.
  const logCost = 1 - 1 / paired.cpu;
  // Paired by round like the log cost: each ratio compares runs a few seconds apart.
  const vs = pairedRatio(m50, n50).rps;
  const vsTls = pairedRatio(tls, ntls).rps;
  const vs2w = pairedRatio(w50, nw50).rps;
  const added = m1.p50Ms - direct1.p50Ms;
  const grow = rssGrowth(mem).ratio;
  // What Node and Moatless's own transport reach on the same measure, for the goals not met (--floor).
  const floorsVs = (floors: string[], ref: Summary, measure: (f: Summary, n: Summary) => number) => floors
    .map((name) => s.find((x) => x.name === name && x.conn === 50)).filter((f): f is Summary => f !== undefined)
    .map((f) => `${f.name} ${fmtRatio(measure(f, ref))}`).join('; ');
  const rpsVs = (f: Summary, n: Summary) => pairedRatio(f, n).rps;
  const p99Vs = (f: Summary, n: Summary) => f.p99Ms / n.p99Ms;
  const plainFloors = [NAMES.floorLean, NAMES.floorUndici], tlsFloors = [NAMES.floorLeanTls, NAMES.floorTls];
  const goals: Goal[] = [
    { name: 'access log cost: throughput lost at equal CPU (on vs off)', value: `${(logCost * 100).toFixed(1)}%${how}`, goal: '≤ 10%', met: logCost <= 0.1 },
    { name: 'access log cost: rps on / off, paired (noisy)', value: `${fmtRatio(paired.rps)}${how}`, goal: '≥ 0.90×', met: paired.rps >= 0.9 },
    { name: 'moatless / nginx, 1w, log on (c50 rps)', value: fmtRatio(vs), goal: '≥ 0.5×', met: vs >= 0.5 },
    { name: 'moatless / nginx, 1w, log on, stretch', value: fmtRatio(vs), goal: '≥ 0.7×', met: vs >= 0.7 },
    { name: 'p99 at c50, moatless / nginx, 1w, log on', value: fmtRatio(m50.p99Ms / n50.p99Ms), goal: '≤ 3×', met: m50.p99Ms / n50.p99Ms <= 3 },
    { name: 'added p50 at c1 over direct (nginx adds ' + `${(n1.p50Ms - direct1.p50Ms).toFixed(3)} ms)`, value: `${added.toFixed(3)} ms`, goal: '≤ 0.2 ms', met: added <= 0.2 },
    { name: 'HTTPS: moatless TLS / nginx TLS + proxy_pass (c50 rps)', value: fmtRatio(vsTls), goal: '≥ 0.8×', met: vsTls >= 0.8 },
    { name: 'moatless 2w / nginx 2w, log on (c50 rps)', value: fmtRatio(vs2w), goal: '≥ 0.5×', met: vs2w >= 0.5 },
    { name: 'CPU per request, moatless / nginx, 1w, log on', value: fmtRatio(pairedRatio(m50, n50).cpu), goal: '(no target)', met: true, info: true },
    { name: 'CPU per request over HTTPS, moatless / nginx', value: fmtRatio(pairedRatio(tls, ntls).cpu), goal: '(no target)', met: true, info: true },
    // What terminating TLS costs each proxy on its own: if the HTTPS ratio trails the plain one, it shows here.
    { name: 'CPU µs/req TLS adds (HTTPS − HTTP, log on, 50 handshakes per window): moatless / nginx', value: `${tlsExtra(tls, m50)} / ${tlsExtra(ntls, n50)}`, goal: '(no target)', met: true, info: true },
    { name: 'RSS at the end / after warm-up (1w, log on)', value: fmtRatio(grow), goal: '≤ 1.10×', met: grow <= 1.1 },
  ];
  const left: Record<string, string> = {
    'moatless / nginx, 1w, log on (c50 rps)': floorsVs(plainFloors, n50, rpsVs),
    'moatless / nginx, 1w, log on, stretch': floorsVs(plainFloors, n50, rpsVs),
    'p99 at c50, moatless / nginx, 1w, log on': floorsVs(plainFloors, n50, p99Vs),
    'HTTPS: moatless TLS / nginx TLS + proxy_pass (c50 rps)': floorsVs(tlsFloors, ntls, rpsVs),
  };
  return goals.map((g) => (g.met || !left[g.name] ? g : { ...g, left: left[g.name] }));
}

/**
 * For each goal not met, what the floors reach on the same measure in the same run (--floor): a
 * floor short of the goal too says the goal is beyond that transport on this machine, whatever
 * Moatless's own code costs. Empty when no floor was measured or every goal is met.
 */
export function leftLines(goals: Goal[]): string {
  const lines = goals.filter((g) => !g.met && !g.info && g.left).map((g) => `- ${g.name} (${g.value}, goal ${g.goal}): ${g.left}`);
  return lines.length === 0 ? '' : `\n== Goals not met: the floors on the same measure, same run ==\n${lines.join('\n')}\n`;
}

/** The Foundation issue's goals that still hold: the auth_request stack and flat app counts. */
export function decisionGoals(s: Summary[], d: DecisionTiming[]): Goal[] {
  const m50 = pick(s, NAMES.m1, 50), k50 = pick(s, NAMES.m10k, 50), auth50 = pick(s, NAMES.authreq, 50);
  const d10 = d.find((x) => x.apps === 10)!, d10k = d.find((x) => x.apps === 10_000)!;
  return [
    { name: 'moatless 1w / nginx auth_request 2w (c50 rps)', value: fmtRatio(m50.rps / auth50.rps), goal: '≥ 2×', met: m50.rps / auth50.rps >= 2 },
    // Differences under ~20% are noise on this box (perf-baseline.md "Noise").
    { name: 'rps 10,000 apps / 10 apps', value: fmtRatio(k50.rps / m50.rps), goal: '≥ 0.8× (flat within noise)', met: k50.rps / m50.rps >= 0.8 },
    { name: 'decision time 10,000 / 10 apps', value: fmtRatio(d10k.nsPerDecision / d10.nsPerDecision), goal: '≤ 1.2× (flat)', met: d10k.nsPerDecision / d10.nsPerDecision <= 1.2 },
  ];
}

export function goalsTable(goals: Goal[]): string {
  return table(['goal', 'measured', 'target', 'verdict'], goals.map((g) => [g.name, g.value, g.goal, g.info ? '' : mark(g.met)]));
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
