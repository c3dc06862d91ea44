// The cached active-session count: one store count per maxAge, shared by concurrent callers, and
// a figure that follows creations, revocations and expiries once it is older than the bound.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { Store } from '../store/ports.ts';
import { HOUR, session, T0 } from '../store/contract/fixtures.ts';
import { cachedActiveSessionCount } from './active-session-count.ts';
import { Metrics } from './metrics.ts';

let store: Store;
before(async () => { store = await openSqliteStore(':memory:'); });
after(async () => { await store.close(); });

test('counts at most once per 5 s, and a change shows once the figure is older than that', async () => {
  let now = T0 + 1000;
  let counts = 0;
  const sessions = store.sessions;
  const counted: Pick<Store, 'sessions'> = {
    sessions: { ...sessions, listActive: (f, at) => { counts++; return sessions.listActive(f, at); } },
  };
  const count = cachedActiveSessionCount({ store: counted, now: () => now });
  await store.sessions.create(session('a', { expiresAt: T0 + HOUR }));
  await store.sessions.create(session('b', { expiresAt: T0 + 14_000 }));
  assert.deepEqual(await Promise.all([count(), count(), count()]), [2, 2, 2]);
  assert.equal(counts, 1, 'concurrent callers share one count');

  await store.sessions.create(session('c', { expiresAt: T0 + HOUR }));
  now += 4_999;
  assert.equal(await count(), 2, 'within the bound: the cached figure');
  now += 1;
  assert.equal(await count(), 3, 'created: counted once the figure is 5 s old');

  await store.sessions.revoke('a', 'test', now);
  now += 5_000;
  assert.equal(await count(), 2, 'revoked');
  now += 5_000; // T0 + 16 s: b expired at T0 + 14 s
  assert.equal(await count(), 1, 'expired');
  assert.equal(counts, 4);
});

test('the metrics gauge reads the shared count', async () => {
  let now = T0 + 20_000; // of the first test's sessions only c is active then
  const metrics = new Metrics({ store, now: () => now, processMetrics: false, activeSessions: async () => 42 });
  assert.match((await metrics.render()).body, /^moatless_sessions_active 42$/m);
  const own = new Metrics({ store, now: () => now, processMetrics: false });
  assert.match((await own.render()).body, /^moatless_sessions_active 1$/m);
  now += 1; // unchanged figure within the bound; the default is the cached count too
  await store.sessions.create(session('d', { createdAt: now, expiresAt: now + HOUR }));
  assert.match((await own.render()).body, /^moatless_sessions_active 1$/m);
});
