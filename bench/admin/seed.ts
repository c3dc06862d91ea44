// Fills a store with what the admin benchmark reads: SCIM users in groups, risky users at three
// levels, active sessions, access-log lines over the last week and admin audit entries. Writes go
// through the store layer (its repositories, in large transactions) rather than SCIM over HTTP: the
// rows are the ones the real code writes, in minutes instead of an hour. Benchmark support only.
import { createHash } from 'node:crypto';
import type { GroupLevel } from '../../src/store/ports-risk.ts';
import type { AccessLogEntry, SessionRecord, Store } from '../../src/store/ports.ts';

export interface SeedPlan {
  users: number;
  groups: number;
  /** Groups each user belongs to. */
  groupsPerUser: number;
  /** Every `riskyEvery`-th user is a risky user (levels high, medium, low in turn). */
  riskyEvery: number;
  sessions: number;
  accessLines: number;
  audit: number;
  /** Apps the access log and app sessions name. */
  apps: string[];
}

export function seedPlan(scale: number, apps: string[]): SeedPlan {
  const n = (full: number, min: number) => Math.max(min, Math.round(full * scale));
  return { users: n(100_000, 200), groups: n(1_000, 10), groupsPerUser: 3, riskyEvery: 20, sessions: n(100_000, 200), accessLines: n(1_000_000, 2_000), audit: n(10_000, 50), apps };
}

/** The apps of the test stack (test/harness/stack.ts), which the log lines and app sessions name. */
export const BENCH_APPS = ['wiki', 'payroll'];
export const userEmail = (i: number): string => `user${i}@contoso.com`;
export const userId = (i: number): string => `u-${String(i).padStart(7, '0')}`;
const groupId = (g: number): string => `g-${String(g).padStart(5, '0')}`;
const groupName = (g: number): string => `Team ${String(g).padStart(4, '0')}`;
const LEVELS: GroupLevel[] = ['high', 'medium', 'low'];
const WEEK = 7 * 24 * 3_600_000;
const CHUNK = 5_000;

/** Deterministic and cheap: the same plan gives the same rows. */
function rand(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), (x >>> 0) / 2 ** 32);
}

async function chunked(total: number, fn: (from: number, to: number) => Promise<void>): Promise<void> {
  for (let from = 0; from < total; from += CHUNK) await fn(from, Math.min(total, from + CHUNK));
}

export async function seed(store: Store, directoryId: string, plan: SeedPlan, now: number, log: (s: string) => void): Promise<Record<string, number>> {
  const ms: Record<string, number> = {};
  const timed = async (name: string, fn: () => Promise<void>) => {
    const t0 = performance.now();
    await fn();
    ms[name] = performance.now() - t0;
    log(`    seeded ${name} in ${(ms[name] / 1000).toFixed(1)} s`);
  };
  const r = rand(42);

  await timed('users', () => chunked(plan.users, (from, to) => store.transaction(async (tx) => {
    for (let i = from; i < to; i++) {
      const email = userEmail(i);
      const given = `Given${i % 997}`;
      const family = `Family${i % 1009}`;
      const raw = JSON.stringify({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: email, externalId: `ext-${i}`, active: i % 50 !== 0,
        displayName: `${given} ${family} ${i}`, name: { givenName: given, familyName: family }, emails: [{ value: email, type: 'work', primary: true }],
      });
      const t = now - WEEK + i;
      await tx.directory.users.create(directoryId, {
        id: userId(i), externalId: `ext-${i}`, userName: email, active: i % 50 !== 0, displayName: `${given} ${family} ${i}`, email,
        givenName: given, familyName: family, raw, version: 1, createdAt: t, lastModified: t,
      });
    }
  })));

  await timed('groups', async () => {
    await store.transaction(async (tx) => {
      for (let g = 0; g < plan.groups; g++) {
        const raw = JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: groupName(g), externalId: `ext-g-${g}` });
        await tx.directory.groups.create(directoryId, { id: groupId(g), externalId: `ext-g-${g}`, displayName: groupName(g), raw, version: 1, createdAt: now - WEEK, lastModified: now - WEEK });
      }
    });
    // Members per group: user i is in groups i % G, (i * 7 + 1) % G, … — every group about the same size.
    const members: string[][] = Array.from({ length: plan.groups }, () => []);
    for (let i = 0; i < plan.users; i++) {
      const seen = new Set<number>();
      for (let k = 0; k < plan.groupsPerUser; k++) seen.add((i * (2 * k + 1) + k) % plan.groups);
      for (const g of seen) members[g]!.push(userId(i));
    }
    for (let g = 0; g < plan.groups; g++) await store.directory.groups.applyMembers(directoryId, groupId(g), { add: members[g]!, remove: [] });
  });

  await timed('risk', async () => {
    const rows = [];
    for (let i = 0, k = 0; i < plan.users; i += plan.riskyEvery, k++) {
      const level = LEVELS[k % 3]!;
      rows.push({ userId: userId(i), userPrincipalName: userEmail(i), riskLevel: level, riskState: 'atRisk', isDeleted: false, riskLastUpdated: now - Math.floor(r() * WEEK), level, updatedAt: now });
    }
    for (let i = 0; i < rows.length; i += CHUNK) await store.directory.risk.upsert(rows.slice(i, i + CHUNK));
  });

  await timed('sessions', () => chunked(plan.sessions, (from, to) => store.transaction(async (tx) => {
    for (let s = from; s < to; s++) {
      // Mostly global sign-ins, every third one an app session under the previous global one.
      const user = s % plan.users;
      const email = userEmail(user);
      const created = now - Math.floor(r() * 8 * 3_600_000);
      const app = s % 3 === 2;
      const rec: SessionRecord = {
        id: createHash('sha256').update(`bench-session-${s}`).digest('hex'), kind: app ? 'app' : 'global',
        parentId: app ? createHash('sha256').update(`bench-session-${s - 1}`).digest('hex') : null, appId: app ? plan.apps[s % plan.apps.length]! : null,
        userKey: `tenant:${email}`, email, idp: 'entra', identity: { email, groupNames: ['Staff'] }, createdAt: created, expiresAt: created + 12 * 3_600_000,
        lastSeenAt: created, ip: `10.${(s >> 16) & 255}.${(s >> 8) & 255}.${s & 255}`, userAgent: 'Mozilla/5.0 (bench)', revokedAt: null, revokedReason: null,
      };
      await tx.sessions.create(rec);
    }
  })));

  await timed('access log', async () => {
    const step = WEEK / plan.accessLines;
    for (let from = 0; from < plan.accessLines; from += CHUNK * 4) {
      const batch: AccessLogEntry[] = [];
      for (let i = from; i < Math.min(plan.accessLines, from + CHUNK * 4); i++) {
        const user = Math.floor(r() * plan.users);
        const x = r();
        // Mostly allowed, some sign-in redirects, a few refusals: what a week of traffic looks like.
        const action = x < 0.9 ? 'allow' : x < 0.97 ? 'authenticate' : 'deny';
        batch.push({
          time: Math.floor(now - WEEK + i * step), requestId: `req-${i}`, userKey: action === 'authenticate' ? null : `tenant:${userEmail(user)}`,
          email: action === 'authenticate' ? null : userEmail(user), appId: plan.apps[i % plan.apps.length]!, host: `${plan.apps[i % plan.apps.length]!}.example.com`,
          path: `/page/${i % 500}`, method: i % 10 === 0 ? 'POST' : 'GET', action, policy: action === 'allow' ? 'staff' : null,
          reasons: action === 'deny' ? ['no policy matched'] : [], status: action === 'allow' ? 200 : action === 'deny' ? 403 : 302,
          durationMs: 1 + r() * 40, clientIp: `10.0.${user & 255}.${(user >> 8) & 255}`,
        });
      }
      await store.accessLog.append(batch);
    }
  });

  await timed('audit', () => chunked(plan.audit, (from, to) => store.transaction(async (tx) => {
    for (let i = from; i < to; i++) {
      await tx.admin.audit.append({
        time: now - WEEK + Math.floor((i * WEEK) / plan.audit), actor: `user:admin${i % 5}@contoso.com`, action: i % 3 === 0 ? 'sessions.revoke' : 'app.update',
        target: i % 3 === 0 ? `user:${userEmail(i)}` : `app:${plan.apps[i % plan.apps.length]!}`, before: { n: i }, after: { n: i + 1 }, requestId: `req-a-${i}`,
      });
    }
  })));
  return ms;
}
