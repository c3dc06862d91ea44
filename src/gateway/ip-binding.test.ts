// Source-address bindings: only addresses inside the trusted networks are bound (IPv4-mapped forms
// normalised), and a binding names its sign-in only while that sign-in lives.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionService } from '../identity/sessions.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/ports.ts';
import { SourceIpBindings } from './ip-binding.ts';

let dir: string;
let store: Store;
let sessions: SessionService;
let bindings: SourceIpBindings;
const identity = { userKey: 't|alice', email: 'alice@contoso.com', idp: 't', groups: [], groupNames: [], amr: [], acrs: [], claims: {} };

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'moatless-ipbind-'));
  store = await openStore({ kind: 'sqlite', path: join(dir, 'db.sqlite') });
  sessions = new SessionService({ store, now: Date.now, cacheTtlMs: 0 });
  bindings = new SourceIpBindings({ kv: store.kv, sessions, now: Date.now, config: () => ({ networks: ['10.20.0.0/16'], duration: 60_000 }) });
});
after(async () => {
  sessions.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('an address outside the trusted networks is never bound and names nobody', async () => {
  const { record } = await sessions.createGlobal({ identity, durationMs: 60_000, ip: '192.168.1.5', userAgent: null });
  assert.equal(await bindings.bind('192.168.1.5', record.id), false);
  assert.equal(await bindings.bind(null, record.id), false);
  assert.equal(await bindings.who('192.168.1.5'), null);
});

test('an IPv4-mapped address is the same address; the binding dies with its sign-in', async () => {
  const { record } = await sessions.createGlobal({ identity, durationMs: 60_000, ip: '::ffff:10.20.3.4', userAgent: null });
  assert.equal(await bindings.bind('::ffff:10.20.3.4', record.id), true);
  assert.equal((await bindings.who('10.20.3.4'))?.email, 'alice@contoso.com');
  assert.equal((await bindings.who('::ffff:10.20.3.4'))?.email, 'alice@contoso.com');
  assert.equal(await bindings.who('10.20.3.5'), null, 'a neighbour is not bound');
  await sessions.revokeFamily(record.id, 'logout');
  assert.equal(await bindings.who('10.20.3.4'), null);
});
