// What request metrics cost on the proxy path, as a same-run ratio. One Moatless process (the
// production default: metrics on) proxies an nginx backend on a signed-in session while wrk loads
// it in short slices; between slices the benchmark turns the request metrics' per-request work
// (RequestMetrics.observe, bench/access/moatless-child.ts) off and on again, in the order
// on/off, off/on, on/off… so neither side is always first. Each pair of neighbouring slices gives one
// ratio; the median over pairs is the figure.
//
// Why one process: two processes identical but for the flag differed by more than the goal and in
// either direction (quiet runs: −15 %, +23 %, −15 %, −37 %; a fresh pair per round still ranged
// from 2,718 to 10,216 req/s between rounds) — heap layout, JIT and CPU placement differ from one
// process to the next. In one process only the metered work differs. CPU time per request is read
// from /proc and is the steadier figure on a shared box.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RequestMetrics } from '../../src/admin/request-metrics.ts';
import { freePort } from '../../test/harness/ports.ts';
import { appHost } from '../access/moatless-config.ts';
import { startMoatlessChild } from '../access/moatless-proc.ts';
import { preflight } from '../access/setup.ts';
import { backendConfig, startNginx } from '../lib/nginx.ts';
import { groupCpuMs } from '../lib/procs.ts';
import { median } from '../lib/stats.ts';
import { ensureTools } from '../lib/tools.ts';
import { runWrk } from '../lib/wrk.ts';

export interface MetricsRound {
  /** Which state was measured first in this pair. */
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
  /** Median over pairs of (1 − rps_on / rps_off), in percent: the throughput metrics cost. */
  throughputCostPct: number;
  /** Median over pairs of (cpu_on / cpu_off − 1), in percent. */
  cpuCostPct: number;
  /** The metered work alone (RequestMetrics.observe over 10 apps), timed in this process: ns per request. */
  workNsPerRequest: number;
  perRound: MetricsRound[];
}

export interface MetricsCostTiming {
  /** Seconds of load before the first pair, both states (JIT, caches, young generation). */
  warmS: number;
  /** Seconds per measured slice. */
  sliceS: number;
  /** Pairs of slices (on + off). */
  pairs: number;
}

export async function measureMetricsCost(t: MetricsCostTiming, log: (s: string) => void): Promise<MetricsCost> {
  const tools = ensureTools(log);
  const tmp = mkdtempSync(join(tmpdir(), 'moatless-bench-admin-'));
  chmodSync(tmp, 0o755); // nginx workers run as an unprivileged user when we are root: let them read www/
  const backendPort = await freePort();
  const ngx = await startNginx(tools.nginx, join(tmp, 'backend'), backendConfig(join(tmp, 'backend'), backendPort), backendPort);
  // It logs as production does (store rows + JSON lines to a file).
  const proc = await startMoatlessChild({ apps: 10, upstream: `http://127.0.0.1:${backendPort}`, logFile: join(tmp, 'moatless.log') });
  const perRound: MetricsRound[] = [];
  try {
    const secret = (await proc.ask({ cmd: 'sessions', count: 1, app: 5, firstUser: 1 }, 'sessions')).secrets[0]!;
    const target = { url: `http://127.0.0.1:${proc.port}/`, headers: { Host: appHost(5), Cookie: `moatless_session=${secret}` } };
    await preflight([{ name: 'moatless', ...target, c1: false }]);
    const set = (on: boolean) => proc.ask({ cmd: 'requestMetrics', on }, 'requestMetrics');
    log(`  warm-up: ${t.warmS}s at c50, metrics on then off`);
    for (const on of [true, false]) {
      await set(on);
      await runWrk(tools.wrk, { ...target, connections: 50, seconds: Math.max(1, Math.round(t.warmS / 2)) });
    }
    const slice = async (on: boolean): Promise<{ rps: number; cpu: number }> => {
      const before = (await set(on)).observed;
      const cpu0 = await groupCpuMs(proc.child.pid!);
      const r = await runWrk(tools.wrk, { ...target, connections: 50, seconds: t.sliceS });
      const cpu = ((await groupCpuMs(proc.child.pid!)) - cpu0) * 1000 / r.requests;
      if (r.non2xx + r.socketErrors.timeout > 0) throw new Error(`non-2xx answers or timeouts during the metrics-cost slices (metrics ${on ? 'on' : 'off'}): ${r.non2xx + r.socketErrors.timeout}`);
      // The switch did what it says: "on" counted every request wrk saw answered, "off" none.
      const counted = (await proc.ask({ cmd: 'requestMetrics', on }, 'requestMetrics')).observed - before;
      if (on ? counted < r.requests : counted !== 0) throw new Error(`metrics ${on ? 'on' : 'off'} counted ${counted} of ${r.requests} requests`);
      return { rps: r.rps, cpu };
    };
    for (let pair = 1; pair <= t.pairs; pair++) {
      const first = pair % 2 === 1 ? 'on' : 'off';
      const a = await slice(first === 'on');
      const b = await slice(first !== 'on');
      const [on, off] = first === 'on' ? [a, b] : [b, a];
      perRound.push({
        first, rpsOn: on.rps, rpsOff: off.rps, cpuOn: on.cpu, cpuOff: off.cpu,
        throughputCostPct: (1 - on.rps / off.rps) * 100, cpuCostPct: (on.cpu / off.cpu - 1) * 100,
      });
      log(`  pair ${pair}/${t.pairs} (${first} first): ${(perRound.at(-1)!.throughputCostPct).toFixed(1)} % throughput, ${(perRound.at(-1)!.cpuCostPct).toFixed(1)} % CPU`);
    }
  } finally {
    await proc.stop();
    try { process.kill(-ngx.child.pid!, 'SIGKILL'); } catch { /* already gone */ }
    rmSync(tmp, { recursive: true, force: true });
  }
  return {
    workNsPerRequest: timeObserve(),
    rounds: perRound.length,
    rpsOn: median(perRound.map((r) => r.rpsOn)), rpsOff: median(perRound.map((r) => r.rpsOff)),
    cpuUsOn: median(perRound.map((r) => r.cpuOn)), cpuUsOff: median(perRound.map((r) => r.cpuOff)),
    throughputCostPct: median(perRound.map((r) => r.throughputCostPct)),
    cpuCostPct: median(perRound.map((r) => r.cpuCostPct)),
    perRound,
  };
}

/**
 * The per-request work request metrics add, timed directly: RequestMetrics.observe as the metered
 * access log calls it (10 apps, spread latencies), best of 5 runs of 2,000,000 calls after a
 * warm-up. Wall-clock slices on a shared VM swing by ±15 % from one second to the next, far more than
 * this work; set against the CPU per request, it bounds what metrics can cost.
 */
function timeObserve(): number {
  const m = new RequestMetrics();
  const apps = Array.from({ length: 10 }, (_, i) => `app-${i}`);
  const run = (n: number) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) m.observe(apps[i % 10]!, i % 7 === 0 ? 'deny' : 'allow', (i % 97) * 0.37);
    return Number(process.hrtime.bigint() - t0) / n;
  };
  run(200_000);
  return Math.min(...Array.from({ length: 5 }, () => run(2_000_000)));
}
