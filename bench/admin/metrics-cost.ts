// What request metrics cost on the proxy path: two Moatless processes, identical but for
// `requestMetrics` (on: the production default; off: the composition root's baseline seam), proxy
// the same nginx backend on a signed-in session while wrk loads them. Two long-lived processes
// measured the processes more than the metrics (heap layout, JIT and CPU placement differ from one
// process to the next: "on" came out faster in 3 of 4 quiet runs), so every round starts a fresh
// pair and alternates which one is started and measured first; each round's ratio compares a pair
// born and measured together, and the median over rounds is the figure. CPU time per request of
// each server is read from /proc and is the steadier figure on a shared box.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../test/harness/ports.ts';
import { appHost } from '../access/moatless-config.ts';
import { startMoatlessChild, type MoatlessChild } from '../access/moatless-proc.ts';
import { preflight } from '../access/setup.ts';
import { measureAll, type Timing } from '../access/throughput.ts';
import { backendConfig, startNginx } from '../lib/nginx.ts';
import { median } from '../lib/stats.ts';
import { ensureTools } from '../lib/tools.ts';

export interface MetricsRound {
  /** Which server was started and measured first in this round. */
  first: 'on' | 'off';
  rpsOn: number;
  rpsOff: number;
  cpuOn: number;
  cpuOff: number;
  /** 1 − rps_on / rps_off, in percent (positive: metrics cost throughput). */
  throughputCostPct: number;
  /** cpu_on / cpu_off − 1, in percent. */
  cpuCostPct: number;
}

export interface MetricsCost {
  rounds: number;
  rpsOn: number;
  rpsOff: number;
  cpuUsOn: number;
  cpuUsOff: number;
  /** Median over rounds of (1 − rps_on / rps_off), in percent: the throughput metrics cost. */
  throughputCostPct: number;
  /** Median over rounds of (cpu_on / cpu_off − 1), in percent. */
  cpuCostPct: number;
  perRound: MetricsRound[];
}

/** `timing.rounds` fresh pairs of servers; within a round, one warm-up and one measured run each. */
export async function measureMetricsCost(timing: Timing, log: (s: string) => void): Promise<MetricsCost> {
  const tools = ensureTools(log);
  const tmp = mkdtempSync(join(tmpdir(), 'moatless-bench-admin-'));
  chmodSync(tmp, 0o755); // nginx workers run as an unprivileged user when we are root: let them read www/
  const backendPort = await freePort();
  const ngx = await startNginx(tools.nginx, join(tmp, 'backend'), backendConfig(join(tmp, 'backend'), backendPort), backendPort);
  const upstream = `http://127.0.0.1:${backendPort}`;
  const perRound: MetricsRound[] = [];
  try {
    for (let round = 1; round <= timing.rounds; round++) {
      const first = round % 2 === 1 ? 'on' : 'off';
      log(`  round ${round}/${timing.rounds}: fresh servers, metrics ${first} first`);
      perRound.push(await oneRound(first, { ...timing, rounds: 1 }, { tools, upstream, tmp, round }, log));
    }
  } finally {
    try { process.kill(-ngx.child.pid!, 'SIGKILL'); } catch { /* already gone */ }
    rmSync(tmp, { recursive: true, force: true });
  }
  return {
    rounds: perRound.length,
    rpsOn: median(perRound.map((r) => r.rpsOn)), rpsOff: median(perRound.map((r) => r.rpsOff)),
    cpuUsOn: median(perRound.map((r) => r.cpuOn)), cpuUsOff: median(perRound.map((r) => r.cpuOff)),
    throughputCostPct: median(perRound.map((r) => r.throughputCostPct)),
    cpuCostPct: median(perRound.map((r) => r.cpuCostPct)),
    perRound,
  };
}

async function oneRound(
  first: 'on' | 'off', timing: Timing, env: { tools: ReturnType<typeof ensureTools>; upstream: string; tmp: string; round: number }, log: (s: string) => void,
): Promise<MetricsRound> {
  const started: { metrics: 'on' | 'off'; proc: MoatlessChild }[] = [];
  try {
    for (const metrics of first === 'on' ? ['on', 'off'] as const : ['off', 'on'] as const) {
      // Both log as production does (store rows + JSON lines to a file): metrics are what differs.
      const proc = await startMoatlessChild({ apps: 10, upstream: env.upstream, logFile: join(env.tmp, `${metrics}-${env.round}.log`), ...(metrics === 'off' ? { metrics: false } : {}) });
      started.push({ metrics, proc });
    }
    const targets = [];
    for (const { metrics, proc } of started) {
      const secret = (await proc.ask({ cmd: 'sessions', count: 1, app: 5, firstUser: 1 }, 'sessions')).secrets[0]!;
      targets.push({ name: `metrics ${metrics}`, url: `http://127.0.0.1:${proc.port}/`, headers: { Host: appHost(5), Cookie: `moatless_session=${secret}` }, c1: false, pgid: proc.child.pid! });
    }
    await preflight(targets);
    const s = await measureAll(env.tools.wrk, targets, timing, log);
    const [on, off] = [s.find((x) => x.name === 'metrics on')!, s.find((x) => x.name === 'metrics off')!];
    if (on.non2xx + off.non2xx > 0) throw new Error(`non-2xx answers during the metrics-cost runs: on ${on.non2xx}, off ${off.non2xx}`);
    const cpuOn = on.cpuUsPerReq ?? Number.NaN;
    const cpuOff = off.cpuUsPerReq ?? Number.NaN;
    return {
      first, rpsOn: on.rps, rpsOff: off.rps, cpuOn, cpuOff,
      throughputCostPct: (1 - on.rps / off.rps) * 100, cpuCostPct: (cpuOn / cpuOff - 1) * 100,
    };
  } finally {
    await Promise.all(started.map((x) => x.proc.stop()));
  }
}
