// The SCIM provisioning benchmark (Directory issue, "Performance"): provisions 100,000 users, 1,000
// groups and 1,000,000 memberships through the HTTP API as Entra's client does, on SQLite and on
// PostgreSQL, against a Moatless server in its own process; prints requests/s, p50/p99, the
// server's RSS, the goals met or not and the deprovisioning race; writes JSON to bench/out/.
// Usage: node bench/scim.ts [--scale 0.01..1] [--storage sqlite|postgres|both] [--concurrency N]
// Exits 0 whether or not goals are met; non-zero only when the setup breaks or a request fails.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freshSchema } from '../test/harness/postgres.ts';
import { installCleanup } from './lib/procs.ts';
import { deprovisionTrial } from './scim/deprovision.ts';
import { measurePoints } from './scim/measure.ts';
import { planFor, type Plan } from './scim/plan.ts';
import { provision } from './scim/provision.ts';
import { deprovisionTable, goalsTable, resultTable, type StorageResult } from './scim/report.ts';
import { ScimClient } from './scim/scim-client.ts';
import { startServerChild } from './scim/server-proc.ts';
import type { ServerStorage } from './scim/server-child.ts';

const log = (s: string): void => void process.stderr.write(`${s}\n`);
const PATCH_CHUNK = 100; // Entra sends about 100 members per PATCH
const POINT_SAMPLES = 200;
const DEPROVISION_TRIALS = 5;

function options(): { scale: number; storages: ('sqlite' | 'postgres')[]; concurrency: number } {
  const { values } = parseArgs({ options: { scale: { type: 'string', default: '1' }, storage: { type: 'string', default: 'both' }, concurrency: { type: 'string', default: '16' } } });
  const v = values.storage;
  const storages: ('sqlite' | 'postgres')[] | null = v === 'both' ? ['sqlite', 'postgres'] : v === 'sqlite' || v === 'postgres' ? [v] : null;
  if (!storages) throw new Error(`--storage must be sqlite, postgres or both, got ${v}`);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) throw new Error(`--concurrency must be 1..256, got ${values.concurrency}`);
  return { scale: Number(values.scale), storages, concurrency };
}

async function runOn(kind: 'sqlite' | 'postgres', plan: Plan, concurrency: number): Promise<StorageResult> {
  const schema = kind === 'postgres' ? await freshSchema() : null;
  const storage: ServerStorage = schema ? { kind: 'postgres', url: schema.url, schema: schema.schema } : { kind: 'sqlite' };
  let server: Awaited<ReturnType<typeof startServerChild>> | null = null;
  let client: ScimClient | null = null;
  try {
    server = await startServerChild(storage);
    const boot = server.rss.sample();
    log(`  ${kind}: server pid ${server.pid} on 127.0.0.1:${server.port}, RSS ${(boot / 2 ** 20).toFixed(0)} MB`);
    client = new ScimClient(server.port, server.authHost, server.token, concurrency);
    const p = await provision(client, plan, { concurrency, chunk: PATCH_CHUNK, rss: server.rss, log });
    const endProvisioning = server.rss.sample();
    log('  point measurements (one request at a time)');
    const points = await measurePoints(client, plan, p, { samples: POINT_SAMPLES, log });
    log(`  deprovisioning race × ${DEPROVISION_TRIALS}`);
    const deprovision = [];
    for (let k = 0; k < DEPROVISION_TRIALS; k++) deprovision.push(await deprovisionTrial(client, server, k));
    const end = server.rss.sample();
    const mid = server.rss.samples.find((s) => s.phase === 'users-2nd-half')?.rss ?? Number.NaN;
    return {
      storage: kind, scale: plan.scale,
      counts: { users: plan.users, groups: plan.groups, memberships: plan.memberships, patchChunk: PATCH_CHUNK, concurrency },
      phases: p.phases,
      latency: { probe: p.lat.probe.summary(), postUser: p.lat.postUser.summary(), groupProbe: p.lat.groupProbe.summary(), postGroup: p.lat.postGroup.summary(), patch: p.lat.patch.summary() },
      points,
      rss: { boot, midUsers: mid, endProvisioning, peak: server.rss.peak, end },
      deprovision,
    };
  } finally {
    await client?.close().catch(() => undefined);
    await server?.stop();
    await schema?.drop().catch((err: unknown) => log(`  could not drop PostgreSQL schema ${schema.schema}: ${String(err)}`));
  }
}

async function main(): Promise<void> {
  installCleanup();
  const o = options();
  const plan = planFor(o.scale);
  const started = new Date();
  log(`Moatless SCIM provisioning benchmark at SCALE ${plan.scale}${plan.scale === 1 ? ' (full)' : ' (REDUCED: not the goal\'s size)'}: ${plan.users.toLocaleString('en-US')} users, ${plan.groups.toLocaleString('en-US')} groups, ${plan.memberships.toLocaleString('en-US')} memberships; ${o.storages.join(' + ')}; ${cpus().length} CPUs, Node ${process.version}`);
  const results: StorageResult[] = [];
  const failures: { storage: string; error: string }[] = [];
  process.stdout.write(`\nSCIM provisioning benchmark — scale ${plan.scale}${plan.scale === 1 ? ' (full)' : ' (REDUCED)'}; server RSS excludes PostgreSQL's own processes\n\n`);
  for (const kind of o.storages) {
    const t0 = performance.now();
    try {
      const r = await runOn(kind, plan, o.concurrency);
      results.push(r);
      process.stdout.write([resultTable(r), '', goalsTable(r), '', deprovisionTable(r), '', ''].join('\n'));
    } catch (err) {
      // One storage failing must not lose the other's numbers; the exit code still says it failed.
      failures.push({ storage: kind, error: (err as Error).message });
      process.stdout.write(`${kind}: FAILED — ${(err as Error).message.slice(0, 500)}\n\n`);
    }
    log(`  ${kind} done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  const dir = join(import.meta.dirname, 'out');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `scim-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ started: started.toISOString(), node: process.version, cpus: cpus().length, scale: plan.scale, results, failures }, null, 2));
  log(`JSON: ${file}`);
  if (failures.length > 0) throw new Error(`${failures.map((f) => f.storage).join(', ')} failed`);
}

main().then(() => process.exit(0), (err: unknown) => {
  log(`SCIM benchmark failed: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
