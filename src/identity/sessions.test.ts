// The session cache's bound: at most maxCacheEntries sessions stay in memory, the least recently used
// go first, and eviction never lets a revoked session through.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../store/index.ts';
import type { Identity } from './identity.ts';
import { SessionService } from './sessions.ts';
import { sessionIdOf } from './session-tokens.ts';

let store: Store;
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'moatless-sessions-'));
  store = await openStore({ kind: 'sqlite', path: join(dir, 'db.sqlite') });
});
after(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const identity = (email: string): Identity => ({ userKey: `t:${email}`, email, idp: 'entra', groups: [], groupNames: [], amr: [], acrs: [], claims: {} });

async function signIns(sessions: SessionService, n: number, tag: string): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await sessions.createGlobal({ identity: identity(`${tag}${i}@contoso.com`), durationMs: 3600_000, ip: null, userAgent: null })).secret);
  return out;
}

/**
 * True when the answer came from the cache: the row is revoked in the store behind the service's
 * back (no change notice), so only a cached copy still resolves.
 */
async function servedFromCache(sessions: SessionService, secret: string): Promise<boolean> {
  await store.sessions.revoke(sessionIdOf(secret), 'probe', Date.now());
  return (await sessions.resolve(secret, { kind: 'global' })) !== null;
}

test('the cache holds at most maxCacheEntries sessions', async () => {
  const sessions = new SessionService({ store, now: Date.now, cacheTtlMs: 60_000, maxCacheEntries: 5 });
  for (const s of await signIns(sessions, 12, 'cap')) assert.ok(await sessions.resolve(s, { kind: 'global' }));
  assert.equal(sessions.cacheSize, 5);
  sessions.close();
});

test('a session used since it was cached survives eviction; the oldest unused one goes', async () => {
  const sessions = new SessionService({ store, now: Date.now, cacheTtlMs: 60_000, maxCacheEntries: 3 });
  const [a, b, c, d] = await signIns(sessions, 4, 'lru');
  for (const s of [a!, b!, c!]) await sessions.resolve(s, { kind: 'global' });
  await sessions.resolve(a!, { kind: 'global' }); // a is hot again
  await sessions.resolve(d!, { kind: 'global' }); // full: someone must go
  assert.equal(sessions.cacheSize, 3);
  assert.equal(await servedFromCache(sessions, a!), true, 'the recently used session stays cached');
  assert.equal(await servedFromCache(sessions, b!), false, 'the least recently used session was evicted');
  sessions.close();
});

test('a cache full of busy sessions still evicts (bounded scan) and stays at the cap', async () => {
  const sessions = new SessionService({ store, now: Date.now, cacheTtlMs: 60_000, maxCacheEntries: 100 });
  const secrets = await signIns(sessions, 150, 'busy');
  for (const s of secrets.slice(0, 100)) await sessions.resolve(s, { kind: 'global' });
  for (const s of secrets.slice(0, 100)) await sessions.resolve(s, { kind: 'global' }); // every entry flagged
  for (const s of secrets.slice(100)) await sessions.resolve(s, { kind: 'global' });
  assert.equal(sessions.cacheSize, 100);
  sessions.close();
});

test('revoking a user after evictions still denies every cached session of that user', async () => {
  const sessions = new SessionService({ store, now: Date.now, cacheTtlMs: 60_000, maxCacheEntries: 2 });
  const mk = async () => (await sessions.createGlobal({ identity: identity('eve@contoso.com'), durationMs: 3600_000, ip: null, userAgent: null })).secret;
  const secrets = [await mk(), await mk(), await mk()];
  for (const s of secrets) await sessions.resolve(s, { kind: 'global' });
  await sessions.revokeUser({ userKey: 't:eve@contoso.com' }, 'test');
  for (const s of secrets) assert.equal(await sessions.resolve(s, { kind: 'global' }), null);
  sessions.close();
});

test('resolveSoon answers a cached session without a promise, with every check resolve makes', async () => {
  const sessions = new SessionService({ store, now: Date.now, cacheTtlMs: 60_000 });
  const [s] = await signIns(sessions, 1, 'soon');
  const first = sessions.resolveSoon(s!, { kind: 'global' });
  assert.ok(first instanceof Promise, 'a miss reads the store');
  assert.ok(await first);
  const hit = sessions.resolveSoon(s!, { kind: 'global' });
  assert.ok(!(hit instanceof Promise) && hit !== null, 'a hit is answered at once');
  assert.equal(sessions.resolveSoon(s!, { kind: 'app', appId: 'grafana' }), null, 'wrong kind, from the cache');
  assert.equal(sessions.resolveSoon('not-a-secret', { kind: 'global' }), null);
  await sessions.revokeUser({ email: 'soon0@contoso.com' }, 'test');
  const after = sessions.resolveSoon(s!, { kind: 'global' });
  assert.equal(after instanceof Promise ? await after : after, null, 'a revoked session is refused on the fast path too');
  sessions.close();
});
