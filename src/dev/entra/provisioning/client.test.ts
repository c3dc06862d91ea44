// The provisioning client against a real loopback SCIM server built on Moatless's SCIM core:
// Entra's request order, both dialects, deprovisioning, membership, errors and on-demand.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Directory } from '../directory.ts';
import { loadFixture } from '../fixture.ts';
import { createProvisioningClient, type Dialect, type ProvisioningClientOptions } from './index.ts';
import { startFakeScimServer, type FakeScimServer } from './testing/fake-scim-server.ts';

const FIXTURE = fileURLToPath(new URL('../../../../dev/entra-fixture.yaml', import.meta.url));
const TOKEN = 'scim-test-token-0123456789';
const ALICE = '0c7d9a41-6e2b-4f3a-8d15-2b9e4c7a1f60';
const BOB = '1d8eab52-7f3c-4a4b-9e26-3caf5d8b2a71';
const STAFF = 'a1000000-0000-4000-8000-000000000002';

async function setup(dialect: Dialect, over: Partial<ProvisioningClientOptions> = {}) {
  const directory = Directory.fromFixture(await loadFixture(FIXTURE));
  const scim = await startFakeScimServer(TOKEN);
  const client = createProvisioningClient({ directory, scimBaseUrl: scim.baseUrl, token: TOKEN, dialect, ...over });
  return { directory, scim, client, [Symbol.asyncDispose]: async () => { await client.stop(); await scim.close(); } };
}

/** Reads the target back the way an operator would: SCIM GET with the bearer token. */
async function scimGet(scim: FakeScimServer, path: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${scim.baseUrl}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.status, 200, `GET ${path}`);
  return await res.json() as Record<string, unknown>;
}

async function userByName(scim: FakeScimServer, upn: string): Promise<Record<string, unknown>> {
  const list = await scimGet(scim, `/Users?filter=${encodeURIComponent(`userName eq "${upn}"`)}`);
  const [user] = list['Resources'] as Record<string, unknown>[];
  assert.ok(user, `${upn} provisioned`);
  return user;
}

async function memberNames(scim: FakeScimServer, group: string): Promise<string[]> {
  const list = await scimGet(scim, `/Groups?filter=${encodeURIComponent(`displayName eq "${group}"`)}`);
  const [g] = list['Resources'] as { members?: { value: string }[] }[];
  const names = await Promise.all((g?.members ?? []).map(async (m) => (await scimGet(scim, `/Users/${m.value}`))['userName'] as string));
  return names.sort();
}

for (const dialect of ['entra-legacy', 'aadOptscim062020'] as const) {
  describe(`dialect ${dialect}`, () => {
    test('the initial cycle provisions every fixture user and group with its direct user members', async () => {
      await using s = await setup(dialect);
      const summary = await s.client.runInitialCycle();
      assert.equal(summary.created, 5);
      assert.equal(summary.groupsCreated, 10);
      assert.equal(summary.errors, 0);
      assert.deepEqual(await memberNames(s.scim, 'Staff'), ['alice@contoso.com', 'bob@contoso.com', 'carol@contoso.com', 'dave@contoso.com']);
      // Nested groups are not sent: Engineering's only member is the Platform group.
      assert.deepEqual(await memberNames(s.scim, 'Engineering'), []);
      assert.deepEqual(await memberNames(s.scim, 'Platform'), ['erin@contoso.com']);
      const alice = await userByName(s.scim, 'alice@contoso.com');
      assert.equal(alice['externalId'], ALICE);
      assert.deepEqual(alice['emails'], [{ primary: true, type: 'work', value: 'alice@contoso.com' }]);
      assert.equal((await userByName(s.scim, 'dave@contoso.com'))['active'], false);
    });

    test('disabling a user in the emulator + an incremental cycle → active false in the target', async () => {
      await using s = await setup(dialect);
      await s.client.runInitialCycle();
      s.directory.setAccountEnabled('bob@contoso.com', false);
      const summary = await s.client.runIncrementalCycle();
      assert.deepEqual([summary.disabled, summary.updated, summary.created, summary.errors], [1, 0, 0, 0]);
      assert.equal((await userByName(s.scim, 'bob@contoso.com'))['active'], false);
      const patch = s.scim.requests.findLast((r) => r.method === 'PATCH');
      assert.equal(patch?.path, `/Users/${s.client.scimId(BOB)}`);
      const op = (patch?.body as { Operations: unknown[] }).Operations[0];
      assert.deepEqual(op, { op: dialect === 'entra-legacy' ? 'Replace' : 'replace', path: 'active', value: dialect === 'entra-legacy' ? 'False' : false });
      // Still retrievable: soft delete keeps the user visible (reference/scim.md §1.5).
      assert.equal((await userByName(s.scim, 'bob@contoso.com'))['userName'], 'bob@contoso.com');
    });

    test('removing and adding a member reaches the target group; other members stay', async () => {
      await using s = await setup(dialect);
      await s.client.runInitialCycle();
      s.directory.removeMember('Staff', 'bob@contoso.com');
      s.directory.addMember('Finance', 'bob@contoso.com');
      const summary = await s.client.runIncrementalCycle();
      assert.deepEqual([summary.membersRemoved, summary.membersAdded, summary.errors], [1, 1, 0]);
      assert.deepEqual(await memberNames(s.scim, 'Staff'), ['alice@contoso.com', 'carol@contoso.com', 'dave@contoso.com']);
      assert.deepEqual(await memberNames(s.scim, 'Finance'), ['alice@contoso.com', 'bob@contoso.com']);
      const remove = s.client.log.entries().find((e) => e.operation === 'remove-members');
      const bobId = s.client.scimId(BOB);
      const expected = dialect === 'entra-legacy'
        ? [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: bobId }] }]
        : [{ op: 'remove', path: `members[value eq "${bobId}"]` }];
      assert.deepEqual((remove?.body as { Operations: unknown[] }).Operations, expected);
    });

    test('changed attributes are PATCHed and read back; an unchanged directory sends nothing', async () => {
      await using s = await setup(dialect);
      await s.client.runInitialCycle();
      const alice = s.directory.user(ALICE);
      assert.ok(alice);
      alice.displayName = 'Alice Adams-Smith';
      alice.givenName = 'Alice';
      alice.mail = 'alice.smith@contoso.com';
      assert.equal((await s.client.runIncrementalCycle()).updated, 1);
      const read = await userByName(s.scim, 'alice@contoso.com');
      assert.equal(read['displayName'], 'Alice Adams-Smith');
      assert.deepEqual(read['name'], { givenName: 'Alice' });
      assert.equal((read['emails'] as { value: string }[])[0]?.value, 'alice.smith@contoso.com');
      const before = s.scim.requests.length;
      const quiet = await s.client.runIncrementalCycle();
      assert.equal(s.scim.requests.length, before);
      assert.deepEqual([quiet.updated, quiet.created, quiet.membersAdded], [0, 0, 0]);
    });
  });
}

test('request order: each user probed before its POST; groups probed without members, POSTed empty, then filled by PATCH', async () => {
  await using s = await setup('entra-legacy', { scope: { groups: ['Finance'] } });
  await s.client.runInitialCycle();
  const seq = s.scim.requests.map((r) => `${r.method} ${r.path}${r.query.length ? `?${r.query.map(([k, v]) => `${k}=${v}`).join('&')}` : ''}`);
  const groupId = s.client.scimId('a1000000-0000-4000-8000-000000000001');
  assert.deepEqual(seq, [
    'GET /Users?filter=userName eq "alice@contoso.com"',
    'POST /Users',
    'GET /Groups?excludedAttributes=members&filter=displayName eq "Finance"',
    'POST /Groups',
    `PATCH /Groups/${groupId}`,
  ]);
  const groupPost = s.scim.requests[3];
  assert.equal(groupPost?.contentType, 'application/scim+json');
  assert.equal('members' in (groupPost?.body as object), false);
  assert.deepEqual(s.client.log.entries().map((e) => e.operation), ['probe-user', 'create-user', 'probe-group', 'create-group', 'add-members']);
});

test('a probe hit is adopted and only what differs is PATCHed — no duplicate POST', async () => {
  await using s = await setup('entra-legacy', { scope: { groups: ['Finance'] } });
  await s.client.runInitialCycle();
  s.directory.setAccountEnabled('alice@contoso.com', false);
  const fresh = createProvisioningClient({ directory: s.directory, scimBaseUrl: s.scim.baseUrl, token: TOKEN, scope: { groups: ['Finance'] } });
  const summary = await fresh.runInitialCycle();
  assert.deepEqual([summary.created, summary.groupsCreated, summary.disabled], [0, 0, 1]);
  assert.equal(s.scim.users().length, 1);
  assert.deepEqual(fresh.log.entries().map((e) => e.method), ['GET', 'PATCH', 'GET', 'PATCH']);
});

test('a user whose group is unassigned is soft-deleted (active false) and the unassigned group is DELETEd', async () => {
  await using s = await setup('aadOptscim062020', { scope: { groups: ['Finance', STAFF] } });
  await s.client.runInitialCycle();
  s.client.setScope({ groups: ['Staff'] });
  s.directory.removeMember('Staff', 'alice@contoso.com');
  const summary = await s.client.runIncrementalCycle();
  assert.deepEqual([summary.disabled, summary.groupsDeleted, summary.membersRemoved, summary.errors], [1, 1, 1, 0]);
  assert.equal((await userByName(s.scim, 'alice@contoso.com'))['active'], false);
  assert.deepEqual(s.scim.groups().map((g) => g['displayName']), ['Staff']);
});

test('member adds are chunked', async () => {
  await using s = await setup('entra-legacy', { scope: { groups: ['Staff'] }, memberChunkSize: 3 });
  const summary = await s.client.runInitialCycle();
  const adds = s.client.log.entries().filter((e) => e.operation === 'add-members');
  assert.deepEqual(adds.map((e) => ((e.body as { Operations: { value: unknown[] }[] }).Operations[0]?.value.length)), [3, 1]);
  assert.equal(summary.membersAdded, 4);
});

test('a failed request is counted and logged, the cycle goes on, and the next cycle retries the object', async () => {
  await using s = await setup('entra-legacy', { scope: { groups: ['Staff'] } });
  s.scim.failNext('POST', '/Users', 500);
  const first = await s.client.runInitialCycle();
  assert.deepEqual([first.errors, first.created, first.membersAdded], [1, 3, 3]);
  const failed = s.client.log.entries().find((e) => e.result === 'failure');
  assert.deepEqual([failed?.method, failed?.path, failed?.status, failed?.error], ['POST', '/Users', 500, 'scim_status']);
  const second = await s.client.runIncrementalCycle();
  assert.deepEqual([second.errors, second.created, second.membersAdded], [0, 1, 1]);
  assert.equal((await memberNames(s.scim, 'Staff')).length, 4);
});

test('an unreachable endpoint is an error per object, never a thrown cycle', async () => {
  await using s = await setup('entra-legacy', { scope: { groups: ['Finance'] } });
  await s.scim.close();
  const summary = await s.client.runInitialCycle();
  assert.equal(summary.errors, 2);
  assert.ok(s.client.log.entries().every((e) => e.status === 0 && e.error === 'scim_unreachable'));
});

test('provision on demand pushes one user and their memberships, in the default dialect even when the flag is set', async () => {
  await using s = await setup('aadOptscim062020');
  const summary = await s.client.provisionOnDemand('bob@contoso.com');
  assert.deepEqual([summary.kind, summary.created, summary.groupsCreated, summary.membersAdded], ['on-demand', 1, 1, 1]);
  assert.deepEqual(await memberNames(s.scim, 'Staff'), ['bob@contoso.com']);
  s.directory.setAccountEnabled('bob@contoso.com', false);
  await s.client.provisionOnDemand(BOB);
  const op = (s.scim.requests.at(-1)?.body as { Operations: unknown[] }).Operations[0];
  assert.deepEqual(op, { op: 'Replace', path: 'active', value: 'False' });
  await assert.rejects(s.client.provisionOnDemand('nobody@contoso.com'), { code: 'unknown_user' });
});

test('the token goes only into the Authorization header, never into the log', async () => {
  await using s = await setup('entra-legacy', { scope: { groups: ['Finance'] } });
  await s.client.runInitialCycle();
  assert.doesNotMatch(JSON.stringify(s.client.log.entries()), new RegExp(TOKEN));
  const bad = createProvisioningClient({ directory: s.directory, scimBaseUrl: s.scim.baseUrl, token: 'wrong' });
  const summary = await bad.runInitialCycle();
  assert.equal(summary.errors, 15);
  assert.ok(bad.log.entries().every((e) => e.status === 401));
});

test('startInterval runs incremental cycles until stop()', async () => {
  const cycles: string[] = [];
  await using s = await setup('entra-legacy', { scope: { groups: ['Finance'] }, onCycle: (c) => cycles.push(c.kind) });
  await s.client.runInitialCycle();
  s.directory.setAccountEnabled('alice@contoso.com', false);
  s.client.startInterval(20);
  while (cycles.length < 2) await new Promise((r) => setTimeout(r, 10));
  await s.client.stop();
  const after = cycles.length;
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(cycles.length, after);
  assert.equal(s.client.summaries.filter((c) => c.kind === 'incremental').reduce((n, c) => n + c.disabled, 0), 1);
  assert.equal((await userByName(s.scim, 'alice@contoso.com'))['active'], false);
});

test('options are validated; the ?aadOptscim062020 flag on the URL selects the compliant dialect', () => {
  const directory = new Directory();
  assert.throws(() => createProvisioningClient({ directory, scimBaseUrl: 'not a url', token: 't' }), { code: 'invalid_option' });
  assert.throws(() => createProvisioningClient({ directory, scimBaseUrl: 'http://127.0.0.1/scim/v2', token: ' ' }), { code: 'invalid_option' });
  assert.equal(createProvisioningClient({ directory, scimBaseUrl: 'http://127.0.0.1/scim/v2?aadOptscim062020', token: 't' }).dialect, 'aadOptscim062020');
  assert.equal(createProvisioningClient({ directory, scimBaseUrl: 'http://127.0.0.1/scim/v2', token: 't' }).dialect, 'entra-legacy');
});
