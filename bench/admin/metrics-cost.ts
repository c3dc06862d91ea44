// What request metrics cost on the proxy path: two Moatless processes, identical but for
// `requestMetrics` (on: the production default; off: the composition root's baseline seam), proxy
// the same nginx backend on a signed-in session while wrk loads them in interleaved rounds. The
// ratios are paired per round (on and off measured back to back), then the median is taken; CPU
// time per request of each server is read from /proc and is the steadier figure on a shared box.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../test/harness/ports.ts';
import { appHost } from '../access/moatless-config.ts';
import { startMoatlessChild } from '../access/moatless-proc.ts';
import { preflight } from '../access/setup.ts';
import { measureAll, type Timing } from '../access/throughput.ts';
import { backendConfig, startNginx } from '../lib/nginx.ts';
import { median } from '../lib/stats.ts';
import { ensureTools } from '../lib/tools.ts';

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
  perRound: { rpsOn: number; rpsOff: number; cpuOn: number; cpuOff: number }[];
}

export async function measureMetricsCost(timing: Timing, log: (s: string) => void): Promise<MetricsCost> {
  const tools = ensureTools(log);
  const tmp = mkdtempSync(join(tmpdir(), 'moatless-bench-admin-'));
  chmodSync(tmp, 0o755); // nginx workers run as an unprivileged user when we are root: let them read www/
  const backendPort = await freePort();
  const ngx = await startNginx(tools.nginx, join(tmp, 'backend'), backendConfig(join(tmp, 'backend'), backendPort), backendPort);
  const upstream = `http://127.0.0.1:${backendPort}`;
  // Both log as production does (store rows + JSON lines to a file): metrics are what differs.
  const on = await startMoatlessChild({ apps: 10, upstream, logFile: join(tmp, 'on.log') });
  const off = await startMoatlessChild({ apps: 10, upstream, logFile: join(tmp, 'off.log'), metrics: false });
  try {
    const secret = async (m: typeof on) => (await m.ask({ cmd: 'sessions', count: 1, app: 5, firstUser: 1 }, 'sessions')).secrets[0]!;
    const headers = async (m: typeof on) => ({ Host: appHost(5), Cookie: `moatless_session=${await secret(m)}` });
    const targets = [
      { name: 'metrics on', url: `http://127.0.0.1:${on.port}/`, headers: await headers(on), c1: false, pgid: on.child.pid! },
      { name: 'metrics off', url: `http://127.0.0.1:${off.port}/`, headers: await headers(off), c1: false, pgid: off.child.pid! },
    ];
    await preflight(targets);
    const s = await measureAll(tools.wrk, targets, timing, log);
    const [a, b] = [s.find((x) => x.name === 'metrics on')!, s.find((x) => x.name === 'metrics off')!];
    if (a.non2xx + b.non2xx > 0) throw new Error(`non-2xx answers during the metrics-cost runs: on ${a.non2xx}, off ${b.non2xx}`);
    const perRound = a.runs.map((r, i) => ({ rpsOn: r.rps, rpsOff: b.runs[i]!.rps, cpuOn: a.cpuRuns?.[i] ?? Number.NaN, cpuOff: b.cpuRuns?.[i] ?? Number.NaN }));
    return {
      rounds: perRound.length, rpsOn: a.rps, rpsOff: b.rps, cpuUsOn: a.cpuUsPerReq ?? Number.NaN, cpuUsOff: b.cpuUsPerReq ?? Number.NaN,
      throughputCostPct: median(perRound.map((r) => (1 - r.rpsOn / r.rpsOff) * 100)),
      cpuCostPct: median(perRound.map((r) => (r.cpuOn / r.cpuOff - 1) * 100)),
      perRound,
    };
  } finally {
    await Promise.all([on.stop(), off.stop()]);
    try { process.kill(-ngx.child.pid!, 'SIGKILL'); } catch { /* already gone */ }
    rmSync(tmp, { recursive: true, force: true });
  }
}
