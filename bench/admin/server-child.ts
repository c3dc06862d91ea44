// The Moatless server the admin benchmark reads from, in its own process: boots the real stack
// (composition root with the SCIM wiring, an `Admins` group as admin.adminGroups) on SQLite or a
// given PostgreSQL schema, seeds it (seed.ts), signs in one admin and reports over IPC. Benchmark
// support only: must not be imported by Moatless, and exits when the benchmark goes away.
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
