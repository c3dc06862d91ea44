// Identity Protection and group writes over real HTTP: riskyUsers paging, $filter (levels, states,
// riskLastUpdatedDateTime), $select, $top ≤ 500, the admin actions, the 1 rps limit answering 429
// without Retry-After, POST /groups, members $ref add/remove with Graph's errors, the replication
// window, $batch limits and per-item answers, the risk control API and raw-body faults.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEntraEmulator, type EntraEmulator, type FixtureInput } from './index.ts';

const T = '11111111-1111-1111-1111-111111111111';
const APP = '22222222-2222-2222-2222-222222222222';
const READONLY = '33333333-3333-3333-3333-333333333333';
const SECRET = 'test-secret-123';
const guid = (prefix: string, n: number) => `${prefix}-0000-4000-8000-${String(n).padStart(12, '0')}`;
const users = Array.from({ length: 620 }, (_, i) => ({
  id: guid('a0000000', i + 1), userPrincipalName: `u${i}@contoso.com`, displayName: `User ${i}`, password: 'pw',
  ...(i < 600 ? { risk: { level: (['low', 'medium', 'high'] as const)[i % 3] ?? 'low' } } : {}),
}));
const fixture: FixtureInput = {
  tenantId: T, tenantName: 'contoso.onmicrosoft.com',
  clients: [
    { clientId: APP, clientSecret: SECRET, graphRoles: ['IdentityRiskyUser.ReadWrite.All', 'Group.Create', 'GroupMember.ReadWrite.All', 'GroupMember.Read.All'] },
    { clientId: READONLY, clientSecret: SECRET, graphRoles: ['GroupMember.Read.All'] },
  ],
  users,
  groups: [{ id: guid('c0000000', 1), displayName: 'Existing', members: ['u0@contoso.com'] }],
};

let emu: EntraEmulator;
let clock = Date.parse('2025-01-01T00:00:00Z');
const tokens = new Map<string, string>();

async function token(clientId = APP): Promise<string> {
  const cached = tokens.get(clientId);
  if (cached) return cached;
  const res = await fetch(`${emu.url}/${T}/oauth2/v2.0/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: SECRET, scope: `${emu.graphUrl}/.default` }),
  });
  const t = ((await res.json()) as { access_token: string }).access_token;
  tokens.set(clientId, t);
  return t;
}

async function graph(path: string, init: RequestInit & { client?: string } = {}): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await fetch(path.startsWith('http') ? path : `${emu.graphUrl}/v1.0${path}`, {
    ...init, headers: { authorization: `Bearer ${await token(init.client)}`, 'content-type': 'application/json', ...init.headers },
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const values = (b: Record<string, unknown>) => b.value as Record<string, unknown>[];

before(async () => {
  emu = await startEntraEmulator({ fixture, riskRequestsPerSecond: 0, now: () => clock });
});
after(() => emu.close());

describe('riskyUsers', () => {
  test('pages with $top=500 and @odata.nextLink; $top above 500 is a 400', async () => {
    const first = await graph('/identityProtection/riskyUsers?$top=500');
    assert.equal(first.status, 200);
    assert.equal(values(first.body).length, 500);
    const next = String(first.body['@odata.nextLink']);
    assert.match(next, /^http.*\/v1\.0\/identityProtection\/riskyUsers\?\$top=500&\$skiptoken=/);
    const second = await graph(next);
    assert.equal(values(second.body).length, 100);
    assert.equal(second.body['@odata.nextLink'], undefined);
    const tooBig = await graph('/identityProtection/riskyUsers?$top=501');
    assert.equal(tooBig.status, 400);
    assert.equal((tooBig.body.error as { code: string }).code, 'Request_BadRequest');
  });

  test('$select returns only the named properties (plus id and @odata.type); an unknown one is a 400', async () => {
    const r = await graph('/identityProtection/riskyUsers?$top=1&$select=riskLevel,riskState');
    assert.deepEqual(Object.keys(values(r.body)[0] ?? {}).sort(), ['@odata.type', 'id', 'riskLevel', 'riskState']);
    assert.equal((await graph('/identityProtection/riskyUsers?$select=nope')).status, 400);
  });

  test('$filter on level, state and riskLastUpdatedDateTime; a malformed filter is a 400, never everything', async () => {
    const high = await graph("/identityProtection/riskyUsers?$top=500&$filter=riskLevel eq 'high' and riskState eq 'atRisk'");
    assert.equal(values(high.body).length, 200);
    const mark = new Date(clock + 1000).toISOString();
    clock += 60_000;
    emu.risky.set('u0@contoso.com', { level: 'high' });
    const changed = await graph(`/identityProtection/riskyUsers?$filter=riskLastUpdatedDateTime gt ${mark}`);
    assert.deepEqual(values(changed.body).map((u) => [u.userPrincipalName, u.riskLevel]), [['u0@contoso.com', 'high']]);
    const bad = await graph("/identityProtection/riskyUsers?$filter=riskLevel eq 'high' or 1 eq 1");
    assert.equal(bad.status, 400);
    assert.equal((bad.body.error as { code: string }).code, 'Request_UnsupportedQuery');
  });

  test('dismiss and confirmCompromised change level and state and answer 204; a read-only app gets 403', async () => {
    const id = guid('a0000000', 2);
    assert.equal((await graph('/identityProtection/riskyUsers/dismiss', { method: 'POST', body: JSON.stringify({ userIds: [id] }) })).status, 204);
    let u = await graph(`/identityProtection/riskyUsers/${id}`);
    assert.deepEqual([u.body.riskLevel, u.body.riskState, u.body.riskDetail], ['none', 'dismissed', 'adminDismissedAllRiskForUser']);
    assert.equal((await graph('/identityProtection/riskyUsers/confirmCompromised', { method: 'POST', body: JSON.stringify({ userIds: [id] }) })).status, 204);
    u = await graph(`/identityProtection/riskyUsers/${id}`);
    assert.deepEqual([u.body.riskLevel, u.body.riskState], ['high', 'confirmedCompromised']);
    const denied = await graph('/identityProtection/riskyUsers', { client: READONLY });
    assert.equal(denied.status, 403);
    assert.equal((denied.body.error as { code: string }).code, 'Authorization_RequestDenied');
    assert.equal((await graph('/identityProtection/riskyUsers/dismiss', { method: 'POST', body: '{"userIds":[]}' })).status, 400);
  });

  test('the control API raises and lowers risk and deletes users; bad input is a 400 naming the problem', async () => {
    const post = (body: unknown) => fetch(`${emu.listenUrl}/_emulator/risk`, { method: 'POST', body: JSON.stringify(body) });
    const raised = await post({ user: 'u610@contoso.com', level: 'medium' });
    assert.equal(raised.status, 200);
    assert.equal(((await raised.json()) as { riskState: string }).riskState, 'atRisk');
    const lowered = (await (await post({ user: 'u610@contoso.com', level: 'none' })).json()) as { riskState: string };
    assert.equal(lowered.riskState, 'remediated');
    const bad = await post({ user: 'u610@contoso.com', level: 'extreme' });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { details: string[] }).details.join(), /level/);
    assert.equal((await post({ user: 'nobody@contoso.com', level: 'high' })).status, 400);
    await post({ user: 'u611@contoso.com', level: 'high' });
    const gone = (await (await post({ user: 'u611@contoso.com', deleted: true })).json()) as { isDeleted: boolean };
    assert.equal(gone.isDeleted, true);
    assert.equal(emu.directory.user('u611@contoso.com'), undefined);
  });
});

describe('the Identity Protection rate limit', () => {
  test('a second request within a second is 429 without Retry-After', async () => {
    const limited = await startEntraEmulator({ fixture, riskRequestsPerSecond: 1 });
    try {
      const t = await (async () => {
        const res = await fetch(`${limited.url}/${T}/oauth2/v2.0/token`, {
          method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'client_credentials', client_id: APP, client_secret: SECRET, scope: `${limited.graphUrl}/.default` }),
        });
        return ((await res.json()) as { access_token: string }).access_token;
      })();
      const get = () => fetch(`${limited.graphUrl}/v1.0/identityProtection/riskyUsers?$top=1`, { headers: { authorization: `Bearer ${t}` } });
      assert.equal((await get()).status, 200);
      const second = await get();
      assert.equal(second.status, 429);
      assert.equal(second.headers.get('retry-after'), null);
      assert.equal(((await second.json()) as { error: { code: string } }).error.code, 'TooManyRequests');
      // Other Graph resources are not limited by it.
      assert.equal((await fetch(`${limited.graphUrl}/v1.0/groups`, { headers: { authorization: `Bearer ${t}` } })).status, 200);
    } finally {
      await limited.close();
    }
  });
});

describe('group writes', () => {
  let groupId = '';
  const ref = (id: string) => JSON.stringify({ '@odata.id': `${emu.graphUrl}/v1.0/directoryObjects/${id}` });

  test('POST /groups creates a security group (201); a missing mailNickname is a 400; a read-only app gets 403', async () => {
    const body = { displayName: 'IdentityProtection-RiskyUser-RiskLevel-high', mailEnabled: false, mailNickname: 'IdentityProtection-RiskyUser-RiskLevel-high', securityEnabled: true, groupTypes: [] };
    const created = await graph('/groups', { method: 'POST', body: JSON.stringify(body) });
    assert.equal(created.status, 201);
    groupId = String(created.body.id);
    assert.equal(created.body.securityEnabled, true);
    const found = await graph(`/groups?$filter=displayName eq 'IdentityProtection-RiskyUser-RiskLevel-high'`);
    assert.deepEqual(values(found.body).map((g) => g.id), [groupId]);
    assert.equal((await graph('/groups', { method: 'POST', body: JSON.stringify({ ...body, mailNickname: undefined }) })).status, 400);
    assert.equal((await graph('/groups', { method: 'POST', body: JSON.stringify(body), client: READONLY })).status, 403);
  });

  test('members $ref: add 204, again 400 "already exist", unknown object 404, remove 204, remove again 404', async () => {
    const u = guid('a0000000', 5);
    const add = () => graph(`/groups/${groupId}/members/$ref`, { method: 'POST', body: ref(u) });
    assert.equal((await add()).status, 204);
    const dup = await add();
    assert.equal(dup.status, 400);
    assert.match((dup.body.error as { message: string }).message, /already exist/);
    assert.equal((await graph(`/groups/${groupId}/members/$ref`, { method: 'POST', body: ref(guid('dead0000', 1)) })).status, 404);
    const members = await graph(`/groups/${groupId}/members?$select=id`);
    assert.deepEqual(values(members.body).map((m) => m.id), [u]);
    assert.equal((await graph(`/groups/${groupId}/members/${u}/$ref`, { method: 'DELETE' })).status, 204);
    assert.equal((await graph(`/groups/${groupId}/members/${u}/$ref`, { method: 'DELETE' })).status, 404);
  });

  test('right after a create, member adds fail with the replication 400 until the lag passes', async () => {
    let t = 0;
    const lagged = await startEntraEmulator({ fixture, now: () => t, replicationLagMs: 5_000 });
    try {
      const res = await fetch(`${lagged.url}/${T}/oauth2/v2.0/token`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: APP, client_secret: SECRET, scope: `${lagged.graphUrl}/.default` }),
      });
      const auth = { authorization: `Bearer ${((await res.json()) as { access_token: string }).access_token}`, 'content-type': 'application/json' };
      const g = await (await fetch(`${lagged.graphUrl}/v1.0/groups`, { method: 'POST', headers: auth, body: JSON.stringify({ displayName: 'New', mailEnabled: false, mailNickname: 'New', securityEnabled: true }) })).json() as { id: string };
      const add = () => fetch(`${lagged.graphUrl}/v1.0/groups/${g.id}/members/$ref`, { method: 'POST', headers: auth, body: JSON.stringify({ '@odata.id': `${lagged.graphUrl}/v1.0/directoryObjects/${guid('a0000000', 1)}` }) });
      const early = await add();
      assert.equal(early.status, 400);
      assert.match(((await early.json()) as { error: { message: string } }).error.message, /do not exist/);
      t += 5_000;
      assert.equal((await add()).status, 204);
    } finally {
      await lagged.close();
    }
  });
});

describe('$batch', () => {
  const add = (id: string, groupId: string, user: string) => ({
    id, method: 'POST', url: `/groups/${groupId}/members/$ref`, headers: { 'content-type': 'application/json' },
    body: { '@odata.id': `${emu.graphUrl}/v1.0/directoryObjects/${user}` },
  });
  const batch = (requests: unknown[]) => graph('/$batch', { method: 'POST', body: JSON.stringify({ requests }) });
  const G = guid('c0000000', 1);

  test('runs up to 20 requests and answers each with its own status and Graph error body', async () => {
    const r = await batch([add('1', G, guid('a0000000', 10)), add('2', G, guid('a0000000', 1)), add('3', G, guid('dead0000', 1)),
      { id: '4', method: 'DELETE', url: `/groups/${G}/members/${guid('a0000000', 10)}/$ref` }]);
    assert.equal(r.status, 200);
    const byId = new Map((r.body.responses as { id: string; status: number; body: { error?: { code: string } } }[]).map((x) => [x.id, x]));
    assert.equal(byId.get('1')?.status, 204);
    assert.equal(byId.get('2')?.status, 400); // u0 is already a member of Existing
    assert.equal(byId.get('3')?.status, 404);
    assert.equal(byId.get('3')?.body.error?.code, 'Request_ResourceNotFound');
    assert.equal(byId.get('4')?.status, 204);
  });

  test('21 requests, duplicate ids and a non-array are 400 for the whole batch', async () => {
    const many = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/groups' }));
    const tooMany = await batch(many);
    assert.equal(tooMany.status, 400);
    assert.match((tooMany.body.error as { message: string }).message, /limit of 20/);
    assert.equal((await batch([{ id: 'a', method: 'GET', url: '/groups' }, { id: 'A', method: 'GET', url: '/groups' }])).status, 400);
    assert.equal((await graph('/$batch', { method: 'POST', body: '{"requests": 3}' })).status, 400);
  });

  test('a failed dependency makes its dependents 424; a body without Content-Type is a 400 item', async () => {
    const r = await batch([add('1', G, guid('dead0000', 2)), { ...add('2', G, guid('a0000000', 11)), dependsOn: ['1'] },
      { id: '3', method: 'POST', url: `/groups/${G}/members/$ref`, body: {} }]);
    const statuses = Object.fromEntries((r.body.responses as { id: string; status: number }[]).map((x) => [x.id, x.status]));
    assert.deepEqual(statuses, { 1: 404, 2: 424, 3: 400 });
  });

  test('inner requests are faulted and throttled one by one', async () => {
    emu.faults.add({ path: `/v1.0/groups/${G}/members/$ref`, method: 'POST', status: 429, retryAfter: 2 });
    const r = await batch([add('1', G, guid('a0000000', 12)), add('2', G, guid('a0000000', 13))]);
    const items = r.body.responses as { id: string; status: number; headers: Record<string, string> }[];
    assert.deepEqual(items.map((x) => [x.id, x.status]), [['1', 429], ['2', 204]]);
    assert.equal(items[0]?.headers['retry-after'], '2');
  });
});

describe('raw-body faults', () => {
  test('a 200 with truncated JSON is sent as is', async () => {
    emu.faults.add({ path: '/v1.0/identityProtection/riskyUsers', status: 200, body: '{"value":[{"id":' });
    const res = await fetch(`${emu.graphUrl}/v1.0/identityProtection/riskyUsers`, { headers: { authorization: `Bearer ${await token()}` } });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '{"value":[{"id":');
    assert.throws(() => emu.faults.add({ status: 200 }), /needs a body/);
  });
});
