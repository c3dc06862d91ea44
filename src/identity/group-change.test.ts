// Re-authentication on group change: sessions end only when the user's IdP opted in.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../store/index.ts';
import { createGroupChangeHook, GROUP_CHANGE_REASON } from './group-change.ts';
import type { Identity } from './identity.ts';
import { SessionService } from './sessions.ts';
import { sessionIdOf } from './session-tokens.ts';

let store: Store;
let sessions: SessionService;
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'moatless-groupchange-'));
  store = await openStore({ kind: 'sqlite', path: join(dir, 'db.sqlite') });
  sessions = new SessionService({ store, now: Date.now, cacheTtlMs: 60_000 });
});
after(async () => {
  sessions.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const identity = (email: string, idp: string): Identity => ({ userKey: `t:${email}`, email, idp, groups: [], groupNames: [], amr: [], acrs: [], claims: {} });
const signIn = async (email: string, idp: string) => (await sessions.createGlobal({ identity: identity(email, idp), durationMs: 3600_000, ip: null, userAgent: null })).secret;
const alive = async (secret: string) => (await sessions.resolve(secret, { kind: 'global' })) !== null;

const IDPS = [{ id: 'entra', reauthOnGroupChange: true }, { id: 'okta', reauthOnGroupChange: false }];

test('the option on: the user\'s sessions are revoked with reason group_change', async () => {
  const secret = await signIn('ann@contoso.com', 'entra');
  const other = await signIn('ben@contoso.com', 'entra');
  const hook = createGroupChangeHook({ sessions, idpConfigs: IDPS });
  assert.equal(await hook.onMembershipChanged({ email: 'Ann@Contoso.com', idp: 'entra' }), 1);
  assert.equal(await alive(secret), false);
  assert.equal(await alive(other), true, 'other users keep their sessions');
  assert.equal((await store.sessions.get(sessionIdOf(secret)))?.revokedReason, GROUP_CHANGE_REASON);
});

test('the option off for the user\'s IdP: nothing is revoked', async () => {
  const secret = await signIn('cat@contoso.com', 'okta');
  const hook = createGroupChangeHook({ sessions, idpConfigs: IDPS });
  assert.equal(await hook.onMembershipChanged({ email: 'cat@contoso.com', idp: 'okta' }), 0);
  assert.equal(await alive(secret), true);
});

test('IdP unknown: revoked when any IdP opted in, kept when none did; the config getter is read live', async () => {
  const secret = await signIn('dan@contoso.com', 'entra');
  let live = [{ id: 'entra', reauthOnGroupChange: false }];
  const hook = createGroupChangeHook({ sessions, idpConfigs: () => live });
  assert.equal(await hook.onMembershipChanged({ email: 'dan@contoso.com' }), 0);
  assert.equal(await alive(secret), true);
  live = [{ id: 'entra', reauthOnGroupChange: true }];
  assert.equal(await hook.onMembershipChanged({ email: 'dan@contoso.com', userKey: 't:dan@contoso.com' }), 1);
  assert.equal(await alive(secret), false);
});

test('many membership changes of one SCIM request are revoked with one notice to the replicas', async () => {
  const published: unknown[] = [];
  const calls: string[][] = [];
  const sessions = {
    revokeUser: async () => 0,
    revokeUsers: async (emails: readonly string[]) => { calls.push([...emails]); published.push(emails); return emails.length; },
  };
  const hook = createGroupChangeHook({ sessions, idpConfigs: [{ id: 'entra', reauthOnGroupChange: true }] });
  assert.equal(await hook.onMembershipsChanged([{ email: 'a@contoso.com' }, { email: 'b@contoso.com' }, { email: 'c@contoso.com', idp: 'okta' }]), 2);
  assert.deepEqual(calls, [['a@contoso.com', 'b@contoso.com']], 'one batched call; the okta user is not covered by the entra option');
  const off = createGroupChangeHook({ sessions, idpConfigs: [{ id: 'entra', reauthOnGroupChange: false }] });
  assert.equal(await off.onMembershipsChanged([{ email: 'a@contoso.com' }]), 0);
  assert.equal(calls.length, 1, 'nothing revoked when the option is off');
});
