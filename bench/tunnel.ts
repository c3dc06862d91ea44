// The tunnel benchmark (issue 15, Performance): the same Access app reached (a) directly over TCP
// and (b) through `tunnel:bench` — one `moatless connector` process, default 2 connections —
// interleaved rounds, medians, wrk c50 requests/s and c1 p50; then 1 GiB each way through the
// tunnel with the edge's and connector's peak RSS growth; then the reconnect time after the edge
// restarts. Loopback only. Usage: node bench/tunnel.ts [--quick] [--bulk-mib N]. Exits 0 whether or not the goals
// are met; non-zero only when the setup breaks.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/harness/ports.ts';
import { backendConfig, startNginx } from './lib/nginx.ts';
import { installCleanup, startProgram, waitForPort } from './lib/procs.ts';
import { median } from './lib/stats.ts';
import { fmtInt, fmtMs, fmtRatio, mark, table } from './lib/table.ts';
import { ensureTools } from './lib/tools.ts';
import { runWrk } from './lib/wrk.ts';
import type { WrkResult } from './lib/wrk-parse.ts';
import { download, rssPeaks, startByteOrigin, upload, type Target, type Transfer } from './tunnel/bulk.ts';
import { HOSTS, type AppName } from './tunnel/config.ts';
import { firstSuccess, restartAndMeasure, startEdge } from './tunnel/reconnect.ts';

const quick = process.argv.includes('--quick');
const T = quick
  ? { warmS: 1, c50S: 2, c1S: 1, rounds: 1, bulkBytes: 64 * 1024 ** 2, bulkS: 20, restarts: 1 }
  : { warmS: 2, c50S: 6, c1S: 3, rounds: 3, bulkBytes: 1024 ** 3, bulkS: 120, restarts: 3 };
const mibFlag = process.argv.indexOf('--bulk-mib');
if (mibFlag !== -1) T.bulkBytes = Number(process.argv[mibFlag + 1]) * 1024 ** 2;
const GOAL_RATIO = 0.7;
const MIB = 1024 ** 2;
const log = (s: string) => process.stderr.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function connections(metricsPort: number): Promise<number> {
  const text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text(), () => '');
  return Number(/^moatless_connector_connections (\d+)/m.exec(text)?.[1] ?? 0);
}
async function until(what: string, ok: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function main(): Promise<void> {
  installCleanup();
  const tools = ensureTools(log);
  const tmp = mkdtempSync(join(tmpdir(), 'moatless-tunnel-bench-'));
  process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
  chmodSync(tmp, 0o755);
  log(`tunnel benchmark on ${cpus().length} CPUs, Node ${process.version}`);
  const ports = { backend: await freePort(), edge: await freePort(), metrics: await freePort() };
  await startNginx(tools.nginx, join(tmp, 'backend'), backendConfig(join(tmp, 'backend'), ports.backend), ports.backend);
  const origin = await startByteOrigin();
  const edgeOpts = { port: ports.edge, backend: ports.backend, dir: tmp };
  let edge = await startEdge(edgeOpts, true);
  const { token, secrets } = edge.ready;
  if (!token || !secrets) throw new Error('the edge sent no token or sessions');
  const target = (app: AppName): Target => ({ port: ports.edge, host: HOSTS[app], cookie: `moatless_session=${secrets[app]}` });

  const connector = startProgram(process.execPath, [
    new URL('../src/cli/main.ts', import.meta.url).pathname, 'connector',
    '--edge', `http://auth.bench.localtest.me:${ports.edge}`, '--edge-address', `127.0.0.1:${ports.edge}`,
    '--ingress', `${HOSTS.bulk}=http://127.0.0.1:${origin.port}`, '--url', `http://127.0.0.1:${ports.backend}`,
    '--metrics', `127.0.0.1:${ports.metrics}`, '--log-level', 'warn',
  ], { env: { ...process.env, MOATLESS_TUNNEL_TOKEN: token } });
  await waitForPort(ports.metrics, 20_000, connector);
  await until('2 connector connections', async () => (await connections(ports.metrics)) === 2, 20_000);
  await firstSuccess(target('tun'), Date.now(), 10_000);

  // 1. Requests/s and latency, interleaved rounds.
  const paths = [{ name: 'direct (upstream http://…)', app: 'direct' as const }, { name: 'tunnel (upstream tunnel:bench)', app: 'tun' as const }];
  const runs = new Map<string, WrkResult[]>();
  for (let round = 1; round <= T.rounds; round++) {
    for (const p of paths) {
      log(`  round ${round}/${T.rounds}: ${p.name}`);
      const t = target(p.app);
      const run = { url: `http://127.0.0.1:${ports.edge}/`, headers: { Host: `${t.host}:${t.port}`, Cookie: t.cookie } };
      await runWrk(tools.wrk, { ...run, connections: 50, seconds: T.warmS });
      for (const c of [50, 1]) {
        const r = await runWrk(tools.wrk, { ...run, connections: c, seconds: c === 50 ? T.c50S : T.c1S });
        if (r.non2xx > 0) throw new Error(`${p.name}: ${r.non2xx} non-2xx answers (the setup is wrong)`);
        runs.set(`${p.app}|${c}`, [...(runs.get(`${p.app}|${c}`) ?? []), r]);
      }
    }
  }
  const at = (app: AppName, c: number) => {
    const rs = runs.get(`${app}|${c}`) ?? [];
    return { rps: median(rs.map((r) => r.rps)), p50: median(rs.map((r) => r.p50Ms)), p99: median(rs.map((r) => r.p99Ms)) };
  };
  const [direct, tun] = [at('direct', 50), at('tun', 50)];
  const ratio = tun.rps / direct.rps;
  const added = at('tun', 1).p50 - at('direct', 1).p50;

  // 2. 1 GiB each way, RSS of the edge and the connector sampled throughout.
  const bulk: { dir: string; t: Transfer; rss: number[] }[] = [];
  for (const [dir, fn] of [['upload', upload], ['download', download]] as const) {
    log(`  ${dir}: ${T.bulkBytes / MIB} MiB through the tunnel (at most ${T.bulkS} s)`);
    const sampler = rssPeaks([edge.ready.pid, connector.pid!]);
    const t = await fn(target('bulk'), T.bulkBytes, T.bulkS * 1000);
    bulk.push({ dir, t, rss: await sampler.stop() });
  }

  // 3. Reconnect after the edge restarts.
  const reconnects: { downMs: number; reconnectMs: number; allMs: number }[] = [];
  for (let i = 1; i <= T.restarts; i++) {
    log(`  edge restart ${i}/${T.restarts}`);
    await sleep(1000);
    const r = await restartAndMeasure(edge, edgeOpts, target('tun'));
    edge = r.edge;
    await until('the connector to reconnect both connections', async () => (await connections(ports.metrics)) === 2, 60_000);
    reconnects.push({ downMs: r.downMs, reconnectMs: r.reconnectMs, allMs: Date.now() - edge.ready.at });
  }

  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`\nTunnel vs direct (same Access app and session, 1 KB nginx backend, one connector with 2 connections, medians of ${T.rounds})`);
  out(table(['path', 'req/s c50', 'vs direct', 'p50 c50 ms', 'p99 c50 ms', 'p50 c1 ms'], paths.map((p) => {
    const c50 = at(p.app, 50);
    return [p.name, fmtInt(c50.rps), fmtRatio(c50.rps / direct.rps), fmtMs(c50.p50), fmtMs(c50.p99), fmtMs(at(p.app, 1).p50)];
  })));
  out(`tunnel req/s ≥ ${GOAL_RATIO}× direct: ${fmtRatio(ratio)} — ${mark(ratio >= GOAL_RATIO)}; added latency (p50 at c1): ${fmtMs(added)} ms`);
  out(`\nBulk transfers through the tunnel (target ${T.bulkBytes / MIB} MiB each way, at most ${T.bulkS} s each)`);
  out(table(['direction', 'MiB moved', 'seconds', 'MB/s', 'edge RSS +MiB', 'connector RSS +MiB', 'complete'], bulk.map((b) => [
    b.dir, (b.t.bytes / MIB).toFixed(0), (b.t.ms / 1000).toFixed(1), (b.t.bytes / 1e6 / (b.t.ms / 1000)).toFixed(1),
    (b.rss[0]! / MIB).toFixed(1), (b.rss[1]! / MIB).toFixed(1), b.t.complete ? 'yes' : 'NO (stopped at the time limit)',
  ])));
  const peak = Math.max(...bulk.flatMap((b) => b.rss)) / MIB;
  out(`bounded memory (peak RSS growth < 128 MiB in each process): ${peak.toFixed(1)} MiB — ${mark(peak < 128)}`);
  out(`\nReconnect after an edge restart (SIGTERM, start again on the same port; ${T.restarts} restart(s))`);
  out(table(['restart', 'edge down ms', 'listening → first 200 ms', 'listening → both connections ms'],
    reconnects.map((r, i) => [String(i + 1), fmtInt(r.downMs), fmtInt(r.reconnectMs), fmtInt(r.allMs)])));
  out(`median reconnect (listening → first request through the tunnel): ${fmtInt(median(reconnects.map((r) => r.reconnectMs)))} ms` +
    ' (the connector retries with 0.5 s doubling backoff and full jitter, so this depends on how long the edge was down)');
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`tunnel bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
