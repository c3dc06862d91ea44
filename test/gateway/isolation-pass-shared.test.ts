// Isolation passes (the remote browser's proxy credential) and the `moatless-isolated` marker across
// processes: a second process on the same PostgreSQL schema (isolation-pass-peer.ts, a real child
// process with its own store connection and its own marker key until it reads the shared one)
// verifies what this one issued and the other way round; a pass deleted at its session's end is
// refused by both, with 407 (never anonymous); a good verdict is reused without a store read for at
// most PASS_VERDICT_TTL_MS, so a pass deleted by the other process is refused here within that bound;
// a marker one process signs verifies in the other.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { identify } from '../../src/gateway/identify.ts';
import { IsolationPasses, loadIsolatedMarkerKey, PASS_NS, PASS_VERDICT_TTL_MS, verifyIsolatedMarker } from '../../src/gateway/isolation-pass.ts';
import { ProxyCredentials } from '../../src/gateway/credentials.ts';
import { SessionService } from '../../src/identity/sessions.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/ports.ts';
import { freshSchema } from '../harness/postgres.ts';

const run = promisify(execFile);
let schema: Awaited<ReturnType<typeof freshSchema>>;
let store: Store;
let sessions: SessionService;
let passes: IsolationPasses;
let user: { userKey: string; globalSessionId: string };

/** One operation in another process sharing the store. */
async function peer(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, ['--import', './test/harness/no-network.ts', 'test/gateway/isolation-pass-peer.ts', schema.url, schema.schema, ...args]);
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

before(async () => {
  schema = await freshSchema();
  store = await openStore({ kind: 'postgres', url: schema.url, schema: schema.schema });
  sessions = new SessionService({ store, now: Date.now, cacheTtlMs: 0 });
  passes = new IsolationPasses({ kv: store.kv, sessions, lifetimeMs: () => 3_600_000 });
  const identity = { userKey: 't:bob@contoso.com', email: 'bob@contoso.com', idp: 'entra', groups: [], groupNames: [], amr: ['pwd'], acrs: [], claims: {} };
  const g = await sessions.createGlobal({ identity, durationMs: 3_600_000, ip: null, userAgent: null });
  user = { userKey: identity.userKey, globalSessionId: g.record.id };
});

after(async () => {
  sessions?.close();
  await store?.close();
  await schema?.drop();
});

test('a pass issued by one process is verified by another, both ways, and only its hash is stored', async () => {
  const theirs = await peer('issue', user.userKey, user.globalSessionId) as { username: string; password: string };
  const here = await passes.verify(theirs.username, theirs.password);
  assert.equal(here.ok && here.identity.email, 'bob@contoso.com');
  const wrong = await passes.verify(theirs.username, `${theirs.password}x`);
  assert.deepEqual(wrong, { ok: false, reason: 'unknown' });

  const mine = await passes.issue(user);
  assert.deepEqual(await peer('verify', mine.username, mine.password), { ok: true, email: 'bob@contoso.com' });
  const stored = await store.kv.get(PASS_NS, mine.username);
  assert.ok(stored && !stored.includes(mine.password), 'the store holds the secret hashed, not in the clear');
});

test('a pass deleted at its session end is refused by every process, with 407 even when anonymous traffic is allowed', async () => {
  const p = await passes.issue(user);
  assert.deepEqual(await peer('verify', p.username, p.password), { ok: true, email: 'bob@contoso.com' });
  await p.revoke();
  assert.deepEqual(await peer('verify', p.username, p.password), { ok: false, reason: 'unknown' });
  assert.deepEqual(await passes.verify(p.username, p.password), { ok: false, reason: 'unknown' });
  const creds = new ProxyCredentials({ store, sessions, now: Date.now });
  const who = await identify(creds, basic(p.username, p.password), 'anonymous', passes);
  assert.equal(who.ok, false);
  assert.equal(!who.ok && who.status, 407);
});

test('a good verdict is reused without a store read, and a pass deleted by another process is refused here within PASS_VERDICT_TTL_MS', async () => {
  let t = Date.now();
  let reads = 0;
  const kv = new Proxy(store.kv, { get: (target, name, receiver) => name === 'get' ? (ns: string, key: string) => { reads++; return target.get(ns, key); } : Reflect.get(target, name, receiver) });
  const here = new IsolationPasses({ kv, sessions, lifetimeMs: () => 3_600_000, now: () => t });
  const p = await here.issue(user);
  assert.equal((await here.verify(p.username, p.password)).ok, true);
  const afterFirst = reads;
  assert.equal((await here.verify(p.username, p.password)).ok, true);
  assert.equal(reads, afterFirst, 'the second request of the remote browser reads nothing from the store');
  assert.deepEqual(await here.verify(p.username, `${p.password}x`), { ok: false, reason: 'unknown' }, 'a kept verdict never vouches for another secret');

  await peer('revoke', p.username);
  assert.equal((await here.verify(p.username, p.password)).ok, true, 'within the bound the kept verdict still answers (documented)');
  t += PASS_VERDICT_TTL_MS;
  assert.deepEqual(await here.verify(p.username, p.password), { ok: false, reason: 'unknown' }, 'refused once the bound has passed');

  const q = await here.issue(user);
  assert.equal((await here.verify(q.username, q.password)).ok, true);
  await q.revoke();
  assert.deepEqual(await here.verify(q.username, q.password), { ok: false, reason: 'unknown' }, 'deleted in this process: refused at once');
});

test('an expired pass is refused', async () => {
  const shortLived = new IsolationPasses({ kv: store.kv, sessions, lifetimeMs: () => 1 });
  const p = await shortLived.issue(user);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(await peer('verify', p.username, p.password), { ok: false, reason: 'unknown' });
});

test('a pass dies with its sign-in in every process', async () => {
  const p = await passes.issue(user);
  await sessions.revokeFamily(user.globalSessionId, 'logout');
  assert.deepEqual(await peer('verify', p.username, p.password), { ok: false, reason: 'session' });
});

test('a moatless-isolated marker signed by another process verifies here, and not for another user', async () => {
  await loadIsolatedMarkerKey(store.kv);
  const { marker } = await peer('marker', user.userKey) as { marker: string };
  assert.equal(verifyIsolatedMarker(marker, user.userKey, Date.now()), true);
  assert.equal(verifyIsolatedMarker(marker, 't:eve@contoso.com', Date.now()), false);
});
