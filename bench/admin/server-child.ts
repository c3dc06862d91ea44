// The Moatless server the admin benchmark reads from, in its own process: boots the real stack
// (composition root with the SCIM wiring, an `Admins` group as admin.adminGroups) on SQLite or a
// given PostgreSQL schema, seeds it (seed.ts), signs in one admin and reports over IPC. Benchmark
// support only: must not be imported by Moatless, and exits when the benchmark goes away.
import pg from 'pg';
import { directoryWiring } from '../../src/cli/directory-wiring.ts';
import { createScimToken } from '../../src/directory/scim-tokens.ts';
import { startStack, TENANT } from '../../test/harness/stack.ts';
import { BENCH_APPS, seed, seedPlan } from './seed.ts';

export type ServerStorage = { kind: 'sqlite' } | { kind: 'postgres'; url: string; schema: string };
export interface ServerArgs { storage: ServerStorage; scale: number }
export type ServerReply =
  | { type: 'ready'; port: number; pid: number; authHost: string; adminSecret: string; directoryId: string; counts: Record<string, number>; seedMs: Record<string, number> }
  | { type: 'progress'; line: string }
  | { type: 'error'; message: string };

export const ADMIN_GROUP = 'Admins';
const SETTLE_MS = 15_000;

const send = (m: ServerReply): void => void process.send?.(m);

/**
 * PostgreSQL plans from table statistics, and the visibility map lets a count read an index alone.
 * A production server's autovacuum makes both within a minute of a bulk load like the seeding; the
 * test server here runs with autovacuum off, so without this every statement was planned as if the
 * tables were empty (e.g. the sessions page sorted all 100,000 rows: 120 ms instead of 0.3 ms).
 */
async function vacuumAnalyze(storage: { url: string; schema: string }): Promise<number> {
  const t0 = performance.now();
  const client = new pg.Client({ connectionString: storage.url, options: `-c search_path=${storage.schema}` });
  await client.connect();
  try {
    // Only this schema's tables: a bare VACUUM would visit every schema of the shared database.
    const { rows } = await client.query<{ t: string }>('SELECT quote_ident(tablename) AS t FROM pg_tables WHERE schemaname = $1', [storage.schema]);
    await client.query(`VACUUM (ANALYZE) ${rows.map((r) => `${client.escapeIdentifier(storage.schema)}.${r.t}`).join(', ')}`);
  } finally {
    await client.end();
  }
  const ms = performance.now() - t0;
  send({ type: 'progress', line: `    VACUUM (ANALYZE) in ${(ms / 1000).toFixed(1)} s (what autovacuum does after a bulk load)` });
  return ms;
}
process.on('disconnect', () => process.exit(0));

try {
  const args = JSON.parse(process.argv[2] ?? '{}') as ServerArgs;
  const stack = await startStack({ compose: directoryWiring(), storage: args.storage, extra: { admin: { adminGroups: [ADMIN_GROUP] } } });
  const shutdown = () => void stack.close().catch(() => undefined).finally(() => process.exit(0));
  process.on('SIGTERM', shutdown);
  process.removeAllListeners('disconnect');
  process.on('disconnect', shutdown);
  const store = stack.moatless.store;
  const now = Date.now();
  const { directory } = await createScimToken(store, { name: 'entra-bench', directoryName: 'entra', now });
  const plan = seedPlan(args.scale, BENCH_APPS);
  const seedMs = await seed(store, directory.id, plan, now, (line) => send({ type: 'progress', line }));
  if (args.storage.kind === 'postgres') seedMs['vacuum analyze'] = await vacuumAnalyze(args.storage);
  // Let the seeding's aftermath (SQLite's WAL checkpoint of a million rows, the access-log thread,
  // garbage collection of the seeding's heap) pass before anything is measured: the first case
  // measured should not pay for it.
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((r) => setTimeout(r, SETTLE_MS * Math.min(1, args.scale * 10)));
  const email = 'admin@contoso.com';
  const identity = { userKey: `${TENANT}:${email}`, email, idp: 'entra', groups: [], groupNames: [ADMIN_GROUP], amr: ['pwd'], acrs: [], claims: {} };
  const { secret } = await stack.moatless.sessions.createGlobal({ identity, durationMs: 6 * 3_600_000, ip: '127.0.0.1', userAgent: 'bench' });
  const counts = { users: plan.users, groups: plan.groups, memberships: plan.users * plan.groupsPerUser, riskyUsers: Math.ceil(plan.users / plan.riskyEvery), sessions: plan.sessions, accessLines: plan.accessLines, audit: plan.audit };
  send({ type: 'ready', port: stack.port, pid: process.pid, authHost: new URL(stack.authUrl).host, adminSecret: secret, directoryId: directory.id, counts, seedMs });
} catch (err) {
  send({ type: 'error', message: (err as Error).stack ?? String(err) });
  process.exit(1);
}
