// Graph group-change polling for an Entra identity provider created through the admin API, as for
// one in moatless.yaml: the replica that did not take the API call learns of the provider through
// the change feed and polls Graph group delta for it (the Entra emulator), so a membership change
// ends the user's sessions; turning reauthOnGroupChange off stops the poller (its lease given up),
// turning it on starts it again, moving it to another tenant drops the old tenant's delta link, and
// deleting the provider stops it for good.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { createAdminToken } from '../../src/admin/index.ts';
import { startMoatless, type MoatlessProcess } from '../../src/cli/compose.ts';
import { loadConfigObject } from '../../src/config/load.ts';
import { GROUP_DELTA_NAMESPACE } from '../../src/identity/entra/group-sync.ts';
import { LEASE_NS } from '../../src/store/lease.ts';
import { freePort } from '../harness/ports.ts';
import { CLIENT_ID, TENANT, startStack, type Stack } from '../harness/stack.ts';
import { call } from './helpers.ts';

const SECRET_ENV = 'MOATLESS_IDP_TEST_POLLED_SECRET';
const IDP = 'entra-api';
const LEASE_KEY = `entra.group-sync.${IDP}`;
const OTHER_TENANT = '0b7e9c4d-2f1a-4e8b-9c3d-6a5f4e3d2c1b';
let s: Stack;
let replica: MoatlessProcess;
let api: string;
let write: Record<string, string>;

before(async () => {
  process.env[SECRET_ENV] = 'dev-secret-change-me';
  // The replica that takes the API calls does not poll Graph; only the other one can.
  s = await startStack({ compose: { pollGraph: false } });
  api = `${s.authUrl}/api/v1`;
  write = { authorization: `Bearer ${(await createAdminToken(s.moatless.store, { name: 'ci', scope: 'write', expiresInMs: 3_600_000, now: Date.now() })).token}` };
  const raw = s.config.fileObject as Record<string, Record<string, unknown>>;
  const second = loadConfigObject({ ...raw, server: { ...raw.server, listeners: [{ address: `127.0.0.1:${await freePort()}` }] } }, { env: {} });
  assert.ok(second.ok);
  replica = await startMoatless(second.config, { logger: pino({ level: 'silent' }) });
});
after(async () => {
  await replica?.close();
  await s?.close();
  delete process.env[SECRET_ENV];
});

async function until(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for: ${what}`);
}

const kv = () => replica.store.kv;
const leaseHeld = async () => (await kv().get(LEASE_NS, LEASE_KEY)) !== null;
const liveSessions = async (email: string) => (await replica.store.sessions.listActive({ email, limit: 10, offset: 0 }, Date.now())).total;

async function signIn(email: string): Promise<void> {
  const identity = { userKey: `${TENANT}:${email}`, email, idp: IDP, groups: [], groupNames: [], amr: ['pwd'], acrs: [], claims: {} };
  await s.moatless.sessions.createGlobal({ identity, durationMs: 3_600_000, ip: null, userAgent: null });
}

/** Waits for a fresh baseline link, then removes `email` from Finance and waits for their sessions to end. */
async function membershipChangeEndsSessions(email: string): Promise<void> {
  await kv().delete(GROUP_DELTA_NAMESPACE, IDP);
  await until('the poller took a baseline', async () => (await kv().get(GROUP_DELTA_NAMESPACE, IDP)) !== null);
  await signIn(email);
  assert.equal(await liveSessions(email), 1);
  s.emulator.directory.removeMember('Finance', email);
  try {
    await until(`${email}'s session ended by the group change`, async () => (await liveSessions(email)) === 0);
  } finally {
    s.emulator.directory.addMember('Finance', email);
  }
}

async function patch(body: Record<string, unknown>): Promise<void> {
  const etag = String((await call(s.browser(), `${api}/identity-providers/${IDP}`, { headers: write })).headers['etag']);
  const r = await call(s.browser(), `${api}/identity-providers/${IDP}`, { method: 'PATCH', body, headers: { ...write, 'if-match': etag } });
  assert.equal(r.status, 200, r.body);
}

test('created through the API: the other replica polls Graph for it and a group change ends the session', async () => {
  const created = await call(s.browser(), `${api}/identity-providers`, {
    method: 'POST', headers: write,
    body: {
      id: IDP, type: 'entra', tenantId: TENANT, clientId: CLIENT_ID, clientSecret: { env: SECRET_ENV },
      authorityUrl: s.emulator.url, graphUrl: s.emulator.graphUrl, reauthOnGroupChange: true, groupChangePolling: '200ms',
    },
  });
  assert.equal(created.status, 201, created.body);
  await until('the replica holds the poller lease', leaseHeld);
  await membershipChangeEndsSessions('alice@contoso.com');
});

test('changed: polling turned off stops the poller, turned on starts it again', async () => {
  await patch({ reauthOnGroupChange: false });
  await until('the poller gave its lease up', async () => !(await leaseHeld()));
  await patch({ reauthOnGroupChange: true, groupChangePolling: '300ms' });
  await until('the poller is back', leaseHeld);
  await membershipChangeEndsSessions('alice@contoso.com');

  // Another tenant: the stored link belongs to the old tenant's Graph and is dropped, not followed
  // (the emulator knows no such tenant, so no new link is taken); back again, a fresh baseline.
  await patch({ tenantId: OTHER_TENANT });
  await until('the old tenant\'s delta link was dropped', async () => (await kv().get(GROUP_DELTA_NAMESPACE, IDP)) === null);
  await patch({ tenantId: TENANT });
  await until('a baseline for the tenant', async () => (await kv().get(GROUP_DELTA_NAMESPACE, IDP)) !== null);
});

test('deleted: the poller stops and its lease is given up', async () => {
  const etag = String((await call(s.browser(), `${api}/identity-providers/${IDP}`, { headers: write })).headers['etag']);
  const r = await call(s.browser(), `${api}/identity-providers/${IDP}`, { method: 'DELETE', headers: { ...write, 'if-match': etag } });
  assert.equal(r.status, 200, r.body);
  await until('the poller gave its lease up', async () => !(await leaseHeld()));
  await kv().delete(GROUP_DELTA_NAMESPACE, IDP);
  // Ten poll intervals: a poller still running would have taken a new baseline by now.
  await new Promise((r) => setTimeout(r, 2_000));
  assert.equal(await kv().get(GROUP_DELTA_NAMESPACE, IDP), null, 'no poller for a deleted provider');
});
