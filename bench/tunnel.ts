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
import { ensureTools } from './lib/tools.ts';
import { download, rssPeaks, startByteOrigin, upload, type Target } from './tunnel/bulk.ts';
import { HOSTS, type AppName } from './tunnel/config.ts';
import { firstSuccess, restartAndMeasure, startEdge } from './tunnel/reconnect.ts';
import { report, type BulkFigures, type ReconnectFigures } from './tunnel/report.ts';
import { measurePaths } from './tunnel/throughput.ts';

const quick = process.argv.includes('--quick');
const T = quick
  ? { warmS: 1, c50S: 2, c1S: 1, rounds: 1, bulkBytes: 64 * 1024 ** 2, bulkS: 20, restarts: 1 }
  : { warmS: 2, c50S: 6, c1S: 3, rounds: 3, bulkBytes: 1024 ** 3, bulkS: 120, restarts: 3 };
const mibFlag = process.argv.indexOf('--bulk-mib');
if (mibFlag !== -1) T.bulkBytes = Number(process.argv[mibFlag + 1]) * 1024 ** 2;
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
  const nginxDir = join(tmp, 'backend');
  await startNginx(tools.nginx, nginxDir, backendConfig(nginxDir, ports.backend), ports.backend);
  const origin = await startByteOrigin();
  const edgeOpts = { port: ports.edge, backend: ports.backend, dir: tmp };
  let edge = await startEdge(edgeOpts, true);
  const { token, secrets } = edge.ready;
  if (!token || !secrets) throw new Error('the edge sent no token or sessions');
  const target = (app: AppName): Target =>
    ({ port: ports.edge, host: HOSTS[app], cookie: `moatless_session=${secrets[app]}` });

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
  const [direct, tunnel] = await measurePaths(tools.wrk, [
    { name: 'direct (upstream http://…)', t: target('direct'), pgids: () => [edge.ready.pid] },
    { name: 'tunnel (upstream tunnel:bench)', t: target('tun'), pgids: () => [edge.ready.pid, connector.pid!] },
  ], T, log);

  // 2. 1 GiB each way, RSS of the edge and the connector sampled throughout.
  const bulk: BulkFigures[] = [];
  for (const [dir, fn] of [['upload', upload], ['download', download]] as const) {
    log(`  ${dir}: ${T.bulkBytes / MIB} MiB through the tunnel (at most ${T.bulkS} s)`);
    const sampler = rssPeaks([edge.ready.pid, connector.pid!]);
    const t = await fn(target('bulk'), T.bulkBytes, T.bulkS * 1000);
    bulk.push({ dir, t, rss: await sampler.stop() });
  }

  // 3. Reconnect after the edge restarts.
  const reconnects: ReconnectFigures[] = [];
  for (let i = 1; i <= T.restarts; i++) {
    log(`  edge restart ${i}/${T.restarts}`);
    await sleep(1000);
    const r = await restartAndMeasure(edge, edgeOpts, target('tun'));
    edge = r.edge;
    await until('both connections back', async () => (await connections(ports.metrics)) === 2, 60_000);
    reconnects.push({ downMs: r.downMs, reconnectMs: r.reconnectMs, allMs: Date.now() - edge.ready.at });
  }

  process.stdout.write(report({ rounds: T.rounds, bulkBytes: T.bulkBytes, bulkS: T.bulkS,
    direct: direct!, tunnel: tunnel!, bulk, reconnects }));
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`tunnel bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
