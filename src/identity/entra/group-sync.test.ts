// Graph group-delta polling against the real emulator and a real SQLite store: a removal ends the
// user's sessions, nested-group changes reach the inner group's users, a failed page changes
// nothing, an expired token restarts from now, and the option off never polls.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEntraEmulator, type EntraEmulator } from '../../dev/entra/index.ts';
import { openStore, type Store } from '../../store/index.ts';
import { createGroupChangeHook } from '../group-change.ts';
import type { Identity } from '../identity.ts';
import { SessionService } from '../sessions.ts';
import { createGraphGroupSync, GROUP_DELTA_NAMESPACE, type GroupSyncLogger } from './group-sync.ts';
import { createEntraGraphClient } from './index.ts';
import { entraConfig, FIXTURE, SECRET_CREDENTIAL } from './testing/emulator-sign-in.ts';

let emu: EntraEmulator;
let store: Store;
let sessions: SessionService;
let dir: string;
let clock = Date.parse('2026-03-01T09:00:00Z');

before(async () => {
  // One group per delta page, so a round with two changed groups spans two pages.
  emu = await startEntraEmulator({ fixturePath: FIXTURE, now: () => clock, deltaRetentionMs: 3_600_000, deltaPageSize: 1 });
  dir = await mkdtemp(join(tmpdir(), 'moatless-groupsync-'));
  store = await openStore({ kind: 'sqlite', path: join(dir, 'db.sqlite') });
  sessions = new SessionService({ store, now: Date.now, cacheTtlMs: 0 });
});
after(async () => {
  sessions.close();
  await store.close();
  await emu.close();
  await rm(dir, { recursive: true, force: true });
});

const identity = (email: string, idp: string): Identity => ({ userKey: `t:${email}`, email, idp, groups: [], groupNames: [], amr: [], acrs: [], claims: {} });
const signIn = async (email: string, idp = 'entra') => (await sessions.createGlobal({ identity: identity(email, idp), durationMs: 3600_000, ip: null, userAgent: null })).secret;
const alive = async (secret: string) => (await sessions.resolve(secret, { kind: 'global' })) !== null;

function logger(): GroupSyncLogger & { lines: { level: string; msg: string }[] } {
  const lines: { level: string; msg: string }[] = [];
  const at = (level: string) => (_obj: object, msg: string) => { lines.push({ level, msg }); };
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

/** A sync for an IdP with its own kv key; the Graph client retries without waiting. */
function syncFor(id: string, overrides: Record<string, unknown> = {}) {
  const idp = entraConfig(emu, { id, reauthOnGroupChange: true, ...overrides });
  const sent = { graph: 0 };
  const counting: typeof fetch = (url, init) => { if (String(url).includes('/groups/delta')) sent.graph++; return fetch(url, init); };
  const graph = createEntraGraphClient(idp, SECRET_CREDENTIAL, { sleep: async () => {}, fetch: counting });
  const log = logger();
  const sync = createGraphGroupSync({ idp, graph, kv: store.kv, hook: createGroupChangeHook({ sessions, idpConfigs: [idp] }), logger: log });
  return { sync, log, sent, link: () => store.kv.get(GROUP_DELTA_NAMESPACE, id) };
}

test('alice is removed from Finance: the next poll revokes her session, not bob\'s', async () => {
  const { sync, link } = syncFor('entra');
  const alice = await signIn('alice@contoso.com');
  const bob = await signIn('bob@contoso.com');
  assert.equal((await sync.runOnce()).outcome, 'baseline');
  assert.match((await link()) ?? '', /\/v1\.0\/groups\/delta\?.*\$deltatoken=/);
  assert.equal(await alive(alice), true, 'the baseline revokes nothing for the past');

  emu.directory.removeMember('Finance', 'alice@contoso.com');
  const result = await sync.runOnce();
  assert.deepEqual(result, { outcome: 'synced', users: 1, revoked: 1 });
  assert.equal(await alive(alice), false);
  assert.equal(await alive(bob), true);
  assert.deepEqual(await sync.runOnce(), { outcome: 'synced', users: 0, revoked: 0 }, 'the stored link moved past the change');
  emu.directory.addMember('Finance', 'alice@contoso.com');
});

test('a change to a user without sessions revokes nothing', async () => {
  const { sync } = syncFor('entra-quiet');
  const bob = await signIn('bob@contoso.com', 'entra-quiet');
  await sync.runOnce();
  emu.directory.addMember('Finance', 'dave@contoso.com');
  assert.deepEqual(await sync.runOnce(), { outcome: 'synced', users: 1, revoked: 0 });
  assert.equal(await alive(bob), true);
});

test('a nested group added to Finance ends the sessions of its users', async () => {
  const { sync } = syncFor('entra-nested');
  const erin = await signIn('erin@contoso.com', 'entra-nested');
  await sync.runOnce();
  emu.directory.addMember('Finance', 'Platform');
  assert.equal((await sync.runOnce()).revoked, 1);
  assert.equal(await alive(erin), false);
  emu.directory.removeMember('Finance', 'Platform');
});

test('Graph 503 on the second page: nothing revoked, the stored link kept, the next poll catches up', async () => {
  const { sync, log, link } = syncFor('entra-flaky');
  await sync.runOnce();
  const before = await link();
  const carol = await signIn('carol@contoso.com', 'entra-flaky');
  const bob = await signIn('bob@contoso.com', 'entra-flaky');
  emu.directory.removeMember('Project Apollo', 'carol@contoso.com');
  emu.directory.removeMember('Staff', 'bob@contoso.com');
  // Page 1 passes; page 2 fails on every one of the client's 4 attempts.
  emu.faults.add({ path: '/v1.0/groups/delta', status: 503, skip: 1, count: 4 });
  assert.deepEqual(await sync.runOnce(), { outcome: 'failed', users: 0, revoked: 0 });
  assert.equal(await alive(carol), true);
  assert.equal(await alive(bob), true);
  assert.equal(await link(), before);
  assert.ok(log.lines.some((l) => l.level === 'error' && /delta link is kept/.test(l.msg)));

  const retried = await sync.runOnce();
  assert.equal(retried.users, 2);
  assert.ok(retried.revoked >= 2, 'bob and carol have sessions from earlier tests too');
  assert.equal(await alive(carol), false);
  assert.equal(await alive(bob), false);
  assert.notEqual(await link(), before);
  emu.directory.addMember('Project Apollo', 'carol@contoso.com');
  emu.directory.addMember('Staff', 'bob@contoso.com');
});

test('an expired delta token (410 syncStateNotFound) restarts from now and says changes were missed', async () => {
  const { sync, log, link } = syncFor('entra-stale');
  await sync.runOnce();
  const old = await link();
  const dave = await signIn('dave@contoso.com', 'entra-stale');
  emu.directory.removeMember('Staff', 'dave@contoso.com');
  clock += 3_600_001;
  assert.deepEqual(await sync.runOnce(), { outcome: 'resynced', users: 0, revoked: 0 });
  assert.equal(await alive(dave), true, 'changes in the gap cannot be known');
  assert.notEqual(await link(), old);
  assert.ok(log.lines.some((l) => l.level === 'warn' && /cannot be detected/.test(l.msg)));
  emu.directory.addMember('Staff', 'dave@contoso.com');
  assert.deepEqual(await sync.runOnce(), { outcome: 'synced', users: 1, revoked: 1 }, 'the new link works');
});

test('option off (reauthOnGroupChange false, or groupChangePolling 0): no polling at all', async () => {
  const before = emu.requestCount('GET /v1.0/groups/delta');
  const off = syncFor('entra-off', { reauthOnGroupChange: false });
  assert.equal((await off.sync.runOnce()).outcome, 'disabled');
  off.sync.start();
  await off.sync.stop();
  const zero = syncFor('entra-zero', { groupChangePolling: '0' });
  zero.sync.start();
  await zero.sync.stop();
  assert.equal(emu.requestCount('GET /v1.0/groups/delta'), before);
  assert.equal(await off.link(), null);
});

test('start() polls right away and on its interval; stop() ends it', async () => {
  const { sync, link } = syncFor('entra-timer', { groupChangePolling: '20ms' });
  sync.start();
  await new Promise((r) => setTimeout(r, 80));
  await sync.stop();
  assert.ok(await link(), 'the first round stored a baseline');
  const after = emu.requestCount('GET /v1.0/groups/delta');
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(emu.requestCount('GET /v1.0/groups/delta'), after, 'no polls after stop');
});

test('two replicas polling one IdP: only the lease holder reads Graph; when it stops, the other takes over', async () => {
  const a = syncFor('leased', { groupChangePolling: '150ms' });
  const b = syncFor('leased', { groupChangePolling: '150ms' });
  a.sync.start();
  await new Promise((r) => setTimeout(r, 50));
  b.sync.start();
  await new Promise((r) => setTimeout(r, 400));
  assert.ok(a.sent.graph >= 2, `the holder polled (${a.sent.graph} reads)`);
  assert.equal(b.sent.graph, 0, 'b never read Graph while a held the lease');
  await a.sync.stop();
  await new Promise((r) => setTimeout(r, 400));
  assert.ok(b.sent.graph > 0, 'b took over once a gave the lease up');
  await b.sync.stop();
});
