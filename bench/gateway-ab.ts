// A/B of two Moatless source trees' gateways on a shared machine: both gateways run at once against
// the same nginx origin, and short load slices alternate between them (A, B, B, A, …), so a load
// spike from other work lands on both sides alike. Prints, per row (plain HTTP, inspected HTTPS),
// the median CPU µs per request of each side (process and main thread) and the median of the
// paired B/A ratios. Loopback only; no Squid (bench/gateway.ts compares with Squid).
// Usage: node bench/gateway-ab.ts <tree A> <tree B> [--slices=N] [--seconds=S]
// Each tree is a checkout (e.g. `git archive <commit> | tar -x -C /tmp/a`, node_modules linked).
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { freePort } from '../test/harness/ports.ts';
import { groupCpuMs, installCleanup, killAll, mainThreadCpuMs } from './lib/procs.ts';
import { runLoad, type LoadSpec } from './lib/proxy-load.ts';
import { median } from './lib/stats.ts';
import { fmtInt, table } from './lib/table.ts';
import { makeCa, makeOriginLeaf, startOrigin } from './gateway/setup.ts';
import type { MoatlessGateway } from './gateway/moatless.ts';

const [treeA, treeB] = process.argv.slice(2).filter((a) => !a.startsWith('--')).map((p) => resolve(p));
const arg = (name: string, dflt: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
const SLICES = arg('slices', 8);
const SECONDS = arg('seconds', 3);
const log = (s: string) => process.stderr.write(`${s}\n`);

interface Sample { cpuUs: number; mainUs: number; rps: number }

async function slice(pid: number, spec: LoadSpec): Promise<Sample> {
  const [c0, m0] = [await groupCpuMs(pid), await mainThreadCpuMs(pid)];
  const r = await runLoad({ ...spec, seconds: SECONDS });
  const [c1, m1] = [await groupCpuMs(pid), await mainThreadCpuMs(pid)];
  if (r.requests === 0 || r.errors > 0 || r.non2xx > 0) throw new Error(`${r.requests} requests, ${r.errors} errors, ${r.non2xx} non-2xx`);
  return { cpuUs: ((c1 - c0) * 1000) / r.requests, mainUs: ((m1 - m0) * 1000) / r.requests, rps: r.rps };
}

async function main(): Promise<void> {
  if (!treeA || !treeB) throw new Error('usage: node bench/gateway-ab.ts <tree A> <tree B> [--slices=N] [--seconds=S]');
  installCleanup();
  const nginx = spawnSync('sh', ['-c', 'command -v nginx || ls /usr/sbin/nginx'], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
  if (!nginx) throw new Error('nginx is required (the origin)');
  const tmp = mkdtempSync(join(tmpdir(), 'moatless-gw-ab-'));
  process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
  chmodSync(tmp, 0o755);
  const originCa = makeCa(tmp, 'origin');
  const ports = { http: await freePort(), https: await freePort() };
  await startOrigin(nginx, join(tmp, 'origin'), ports, makeOriginLeaf(tmp, originCa));
  const start = async (tree: string, name: string): Promise<MoatlessGateway> => {
    const dir = join(tmp, name);
    mkdirSync(dir);
    // Each tree's own bench module starts that tree's `moatless serve`.
    const mod = (await import(join(tree, 'bench/gateway/moatless.ts'))) as typeof import('./gateway/moatless.ts');
    return mod.startMoatlessGateway(dir, originCa.cert);
  };
  const sides = { A: await start(treeA, 'a'), B: await start(treeB, 'b') };
  const http = `127.0.0.1:${ports.http}`, https = `127.0.0.1:${ports.https}`;
  const rows: { name: string; spec: (g: MoatlessGateway) => LoadSpec }[] = [
    { name: 'plain HTTP', spec: (g) => ({ mode: 'absolute', port: g.port, target: http, connections: 50, seconds: 0 }) },
    {
      name: 'inspected HTTPS',
      spec: (g) => ({ mode: 'tunnel', port: g.port, target: https, tls: { ca: g.caPem }, connections: 50, seconds: 0 }),
    },
  ];
  const out: string[][] = [];
  for (const row of rows) {
    for (const g of Object.values(sides)) await runLoad({ ...row.spec(g), seconds: 2 }); // warm-up
    const got: { A: Sample[]; B: Sample[] } = { A: [], B: [] };
    for (let i = 0; i < SLICES; i++) {
      // ABBA order: neither side always runs first after the other's slice.
      const order: ('A' | 'B')[] = i % 2 ? ['B', 'A'] : ['A', 'B'];
      for (const s of order) got[s].push(await slice(sides[s].child.pid!, row.spec(sides[s])));
      log(`  ${row.name} ${i + 1}/${SLICES}: A ${fmtInt(got.A.at(-1)!.cpuUs)} µs, B ${fmtInt(got.B.at(-1)!.cpuUs)} µs`);
    }
    const ratio = (k: keyof Sample) => median(got.A.map((a, i) => got.B[i]![k] / a[k]));
    const mid = (side: Sample[], k: keyof Sample) => fmtInt(median(side.map((s) => s[k])));
    out.push([row.name, mid(got.A, 'cpuUs'), mid(got.B, 'cpuUs'), `${ratio('cpuUs').toFixed(2)}×`,
      mid(got.A, 'mainUs'), mid(got.B, 'mainUs'), `${ratio('mainUs').toFixed(2)}×`, `${ratio('rps').toFixed(2)}×`]);
  }
  await Promise.all(Object.values(sides).map((g) => g.stop()));
  process.stdout.write(`\n== Gateway A/B: ${SLICES} alternating slices of ${SECONDS}s per side, c50; A = ${treeA}, B = ${treeB} ==\n${table(
    ['row', 'A CPU µs/req', 'B CPU µs/req', 'B/A (paired median)', 'A main µs/req', 'B main µs/req', 'B/A main', 'B/A req/s'], out)}\n`);
}

main().then(
  () => { killAll(); process.exit(0); },
  (err: unknown) => { log(`A/B failed: ${(err as Error).stack ?? String(err)}`); killAll(); process.exit(1); },
);
