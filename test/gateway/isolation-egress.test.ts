// Isolation on a host without a `gateway:` section (issue 20): the remote browser goes through
// `isolation.proxy` — a Moatless Gateway elsewhere — with a per-session isolation pass, so that
// Gateway (sharing the store) sees the user, marked already isolated, and never anonymous traffic;
// the pass dies when the session ends. Without a proxy either, there is no grant (direct, warned).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedConfig } from '../../src/config/load.ts';
import { ProxyCredentials } from '../../src/gateway/credentials.ts';
import { identify } from '../../src/gateway/identify.ts';
import { isolationEgress } from '../../src/gateway/isolation-egress.ts';
import { IsolationPasses, PASS_NS } from '../../src/gateway/isolation-pass.ts';
import { SessionService } from '../../src/identity/sessions.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/ports.ts';

const dir = mkdtempSync(join(tmpdir(), 'moatless-gw-egress-'));
let store: Store;
let sessions: SessionService;
let user: { email: string; userKey: string; globalSessionId: string };
const warnings: unknown[] = [];
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const isolation = (proxy: string | undefined) => ({ isolation: { proxy, lifecycle: { maxDuration: 600_000 } } }) as unknown as Pick<ResolvedConfig, 'isolation'>;

before(async () => {
  store = await openStore({ kind: 'sqlite', path: join(dir, 'db.sqlite') });
  sessions = new SessionService({ store, now: Date.now, cacheTtlMs: 0 });
  const identity = { userKey: 't:bob@contoso.com', email: 'bob@contoso.com', idp: 'entra', groups: [], groupNames: [], amr: ['pwd'], acrs: [], claims: {} };
  const g = await sessions.createGlobal({ identity, durationMs: 3_600_000, ip: null, userAgent: null });
  user = { email: identity.email, userKey: identity.userKey, globalSessionId: g.record.id };
});

after(async () => {
  sessions?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('without a local Gateway, the remote browser uses isolation.proxy with a pass the Gateway there verifies as the user, already isolated', async () => {
  const egress = isolationEgress({ local: () => null, kv: store.kv, sessions, config: () => isolation('http://gateway.internal:3128'), logger: { warn: (o: unknown) => void warnings.push(o) } });
  const grant = await egress(user);
  assert.ok(grant, 'a grant, not direct and not credential-less');
  assert.equal(grant.proxy, 'http://gateway.internal:3128');
  assert.match(grant.username, /^gwi_[0-9a-f]{16}$/);

  // The Gateway on the other host: its own passes on the same store, anonymous traffic allowed —
  // the remote browser's traffic must still be the user's, not anonymous.
  const remote = new IsolationPasses({ kv: store.kv, sessions, lifetimeMs: () => 600_000 });
  const creds = new ProxyCredentials({ store, sessions, now: Date.now });
  const who = await identify(creds, basic(grant.username, grant.password), 'anonymous', remote);
  assert.equal(who.ok && who.email, 'bob@contoso.com');
  assert.equal(who.ok && who.who.fromIsolation, true);

  // Session end: the pass is deleted; a Gateway that had not seen it refuses it with 407.
  grant.release();
  for (let i = 0; i < 100 && (await store.kv.get(PASS_NS, grant.username)) !== null; i++) await new Promise((r) => setImmediate(r));
  const fresh = new IsolationPasses({ kv: store.kv, sessions, lifetimeMs: () => 600_000 });
  const after = await identify(creds, basic(grant.username, grant.password), 'anonymous', fresh);
  assert.equal(!after.ok && after.status, 407);
  assert.deepEqual(warnings, []);
});

test('with neither a local Gateway nor isolation.proxy there is no grant: direct, with one loud warning', async () => {
  const said: unknown[] = [];
  const egress = isolationEgress({ local: () => null, kv: store.kv, sessions, config: () => isolation(undefined), logger: { warn: (m: unknown) => void said.push(m) } });
  assert.equal(await egress(user), null);
  assert.equal(await egress(user), null);
  assert.equal(said.length, 1);
  assert.match(String(said[0]), /DIRECTLY/);
});

test('a local Gateway is preferred to isolation.proxy', async () => {
  const passes = new IsolationPasses({ kv: store.kv, sessions, lifetimeMs: () => 600_000 });
  const egress = isolationEgress({ local: () => ({ proxy: 'http://127.0.0.1:3128', passes }), kv: store.kv, sessions, config: () => isolation('http://gateway.internal:3128'), logger: { warn: () => {} } });
  const grant = await egress(user);
  assert.equal(grant?.proxy, 'http://127.0.0.1:3128');
  assert.equal((await passes.verify(grant.username, grant.password)).ok, true);
  grant.release();
});
