// Client credentials and the Graph subset over real HTTP: token shapes and AADSTS errors, bearer
// checks, paging by nextLink, filters, transitive membership, fault injection and counters, and a
// public base URL that differs from the listen address (national-cloud tests).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { startEntraEmulator, type EntraEmulator, type FixtureInput } from './index.ts';

const T = '11111111-1111-1111-1111-111111111111';
const APP = '22222222-2222-2222-2222-222222222222';
const NOROLES = '33333333-3333-3333-3333-333333333333';
const SECRET = 'test-secret-123';
const guid = (prefix: string, n: number) => `${prefix}-0000-4000-8000-${String(n).padStart(12, '0')}`;
const BIG = guid('b0000000', 1);
const users = Array.from({ length: 250 }, (_, i) => ({
  id: guid('a0000000', i + 1), userPrincipalName: `u${i}@contoso.com`, displayName: `User ${i}`, password: 'pw',
}));

const fixture: FixtureInput = {
  tenantId: T,
  tenantName: 'contoso.onmicrosoft.com',
  clients: [
    { clientId: APP, clientSecret: SECRET, graphRoles: ['GroupMember.Read.All', 'User.Read.All', 'Policy.Read.ConditionalAccess'] },
    { clientId: NOROLES, clientSecret: SECRET },
  ],
  users,
  groups: [
    { id: BIG, displayName: 'Everyone', members: users.map((u) => u.userPrincipalName) },
    { id: guid('c0000000', 1), displayName: 'Engineering', members: ['Platform'] },
    { id: guid('c0000000', 2), displayName: 'Platform', members: ['u0@contoso.com'] },
    { id: guid('c0000000', 3), displayName: "O'Brien fans", members: [] },
  ],
  authenticationContexts: [{ id: 'c1', displayName: 'Payroll' }],
};

let emu: EntraEmulator;
let token: string;

async function getToken(clientId: string, secret: string, scope = `${emu.graphUrl}/.default`) {
  return fetch(`${emu.url}/${T}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope }),
  });
}

const graph = (path: string, init: RequestInit = {}, bearer = token) =>
  fetch(path.startsWith('http') ? path : `${emu.graphUrl}/v1.0${path}`, { ...init, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', ...init.headers } });

before(async () => {
  emu = await startEntraEmulator({ fixture });
  const res = await getToken(APP, SECRET);
  token = ((await res.json()) as { access_token: string }).access_token;
});
after(() => emu.close());

describe('client credentials', () => {
  test('issues an Entra-shaped app token for {graph}/.default', async () => {
    const res = await getToken(APP, SECRET);
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.token_type, 'Bearer');
    assert.equal(typeof body.expires_in, 'number');
    assert.equal(typeof body.ext_expires_in, 'number');
    const claims = decodeJwt(String(body.access_token));
    assert.equal(claims.aud, emu.graphUrl);
    assert.equal(claims.iss, emu.issuer);
    assert.equal(claims.tid, T);
    assert.equal(claims.idtyp, 'app');
    assert.deepEqual(claims.roles, ['GroupMember.Read.All', 'User.Read.All', 'Policy.Read.ConditionalAccess']);
  });

  test('a bad secret is 401 invalid_client with AADSTS7000215 and the Entra error fields', async () => {
    const res = await getToken(APP, 'wrong-secret');
    assert.equal(res.status, 401);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.error, 'invalid_client');
    assert.match(String(body.error_description), /^AADSTS7000215:/);
    assert.deepEqual(body.error_codes, [7000215]);
    for (const k of ['timestamp', 'trace_id', 'correlation_id']) assert.equal(typeof body[k], 'string', k);
    assert.doesNotMatch(JSON.stringify(body), /wrong-secret/);
  });

  test('client_secret_basic works and a foreign scope is invalid_scope', async () => {
    const res = await fetch(`${emu.url}/${T}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${APP}:${SECRET}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: `${emu.graphUrl}/.default` }),
    });
    assert.equal(res.status, 200);
    const bad = await getToken(APP, SECRET, 'https://graph.microsoft.com/.default');
    assert.equal(bad.status, 400);
    assert.match(String(((await bad.json()) as Record<string, unknown>).error_description), /^AADSTS70011:/);
  });
});

describe('Graph', () => {
  test('a missing or bad bearer is 401 InvalidAuthenticationToken with the OData error shape', async () => {
    for (const bearer of ['', 'not-a-jwt']) {
      const res = await graph('/users', {}, bearer);
      assert.equal(res.status, 401);
      const body = (await res.json()) as { error: { code: string; message: string; innerError: Record<string, string> } };
      assert.equal(body.error.code, 'InvalidAuthenticationToken');
      assert.equal(typeof body.error.message, 'string');
      for (const k of ['date', 'request-id', 'client-request-id']) assert.equal(typeof body.error.innerError[k], 'string', k);
    }
  });

  test('a token without the role is 403 Authorization_RequestDenied', async () => {
    const res = await getToken(NOROLES, SECRET);
    const weak = ((await res.json()) as { access_token: string }).access_token;
    const denied = await graph('/groups', {}, weak);
    assert.equal(denied.status, 403);
    assert.equal(((await denied.json()) as { error: { code: string } }).error.code, 'Authorization_RequestDenied');
  });

  test('pages 250 members with $top=100 through absolute nextLinks', async () => {
    let next: string | undefined = `/groups/${BIG}/members?$top=100&$select=id,userPrincipalName`;
    const seen: string[] = [];
    const sizes: number[] = [];
    while (next) {
      const res = await graph(next);
      assert.equal(res.status, 200);
      const page = (await res.json()) as { value: { id: string; '@odata.type': string; userPrincipalName: string; displayName?: string }[]; '@odata.nextLink'?: string; '@odata.context': string };
      assert.match(page['@odata.context'], /\$metadata#directoryObjects$/);
      sizes.push(page.value.length);
      for (const v of page.value) {
        assert.equal(v['@odata.type'], '#microsoft.graph.user');
        assert.equal(v.displayName, undefined, '$select is honoured');
        seen.push(v.id);
      }
      next = page['@odata.nextLink'];
      if (next) assert.ok(next.startsWith(`${emu.graphUrl}/v1.0/groups/${BIG}/members?`) && next.includes('$skiptoken='));
    }
    assert.deepEqual(sizes, [100, 100, 50]);
    assert.equal(new Set(seen).size, 250);
  });

  test('$top above 999 and an unparseable $filter are 400, never everything', async () => {
    assert.equal((await graph('/users?$top=1000')).status, 400);
    const res = await graph(`/groups?$filter=${encodeURIComponent("startswith(displayName,'E')")}`);
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'Request_UnsupportedQuery');
  });

  test('$filter displayName eq with doubled quotes finds one group', async () => {
    const res = await graph(`/groups?$filter=${encodeURIComponent("displayName eq 'O''Brien fans'")}`);
    const body = (await res.json()) as { value: { displayName: string; '@odata.type': string }[] };
    assert.deepEqual(body.value.map((g) => g.displayName), ["O'Brien fans"]);
    assert.equal(body.value[0]?.['@odata.type'], '#microsoft.graph.group');
  });

  test('transitiveMemberOf and getMemberObjects follow nesting; memberOf does not', async () => {
    const direct = (await (await graph('/users/u0@contoso.com/memberOf')).json()) as { value: { displayName: string }[] };
    assert.deepEqual(direct.value.map((g) => g.displayName).sort(), ['Everyone', 'Platform']);
    const all = (await (await graph(`/users/${users[0]?.id}/transitiveMemberOf`)).json()) as { value: { displayName: string }[] };
    assert.deepEqual(all.value.map((g) => g.displayName).sort(), ['Engineering', 'Everyone', 'Platform']);
    const ids = (await (await graph(`/users/${users[0]?.id}/getMemberObjects`, { method: 'POST', body: JSON.stringify({ securityEnabledOnly: true }) })).json()) as { value: string[] };
    assert.equal(ids.value.length, 3);
    const members = (await (await graph(`/groups/${guid('c0000000', 1)}/transitiveMembers`)).json()) as { value: { '@odata.type': string }[] };
    assert.deepEqual(members.value.map((m) => m['@odata.type']).sort(), ['#microsoft.graph.group', '#microsoft.graph.user']);
  });

  test('runtime membership changes show up immediately', async () => {
    emu.directory.addMember("O'Brien fans", 'u1@contoso.com');
    const res = (await (await graph(`/groups/${guid('c0000000', 3)}/members`)).json()) as { value: { id: string }[] };
    assert.deepEqual(res.value.map((m) => m.id), [users[1]?.id]);
    emu.directory.removeMember("O'Brien fans", 'u1@contoso.com');
  });

  test('unknown user is 404 Request_ResourceNotFound; auth contexts are listed', async () => {
    const res = await graph('/users/nobody@contoso.com');
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'Request_ResourceNotFound');
    const ctx = (await (await graph('/identity/conditionalAccess/authenticationContextClassReferences')).json()) as { value: { id: string; isAvailable: boolean }[] };
    assert.deepEqual(ctx.value.map((c) => [c.id, c.isAvailable]), [['c1', true]]);
  });
});

describe('faults and counters', () => {
  test('a 429 with Retry-After hits only the matching path, once', async () => {
    emu.faults.add({ path: '/v1.0/users/*/transitiveMemberOf', status: 429, retryAfter: 2, count: 1 });
    const first = await graph('/users/u0@contoso.com/transitiveMemberOf');
    assert.equal(first.status, 429);
    assert.equal(first.headers.get('retry-after'), '2');
    assert.equal(((await first.json()) as { error: { code: string } }).error.code, 'TooManyRequests');
    assert.equal((await graph('/users/u0@contoso.com/transitiveMemberOf')).status, 200);
  });

  test('POST /_emulator/faults queues three 503s; requestCount counts round trips', async () => {
    const add = await fetch(`${emu.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ status: 503, count: 3 }) });
    assert.equal(add.status, 201);
    const before = emu.requestCount('GET /v1.0/groups');
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await graph('/groups')).status);
    assert.deepEqual(statuses, [503, 503, 503, 200]);
    assert.equal(emu.requestCount('GET /v1.0/groups') - before, 4);
    const log = (await (await fetch(`${emu.url}/_emulator/requests`)).json()) as { value: { path: string; status: number }[] };
    assert.ok(log.value.some((r) => r.path === '/v1.0/groups' && r.status === 503));
  });

  test('an invalid fault is rejected with its problems', async () => {
    const res = await fetch(`${emu.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ status: 200 }) });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { code: string }).code, 'invalid_fault');
  });
});

describe('public base URL differs from the listen address', () => {
  test('discovery, issuer and tokens use the public host; multi-tenant metadata uses the template', async () => {
    const gov = await startEntraEmulator({ fixture, publicBaseUrl: 'https://login.microsoftonline.us', graphBaseUrl: 'https://graph.microsoft.us' });
    try {
      // A fetch that maps the national-cloud hosts to the loopback listener, as Moatless tests do.
      const mapped: typeof fetch = (input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        const target = new URL(url.pathname + url.search, gov.listenUrl);
        return fetch(target, input instanceof Request ? input : init);
      };
      const config = await client.discovery(new URL(`https://login.microsoftonline.us/${T}/v2.0`), APP, undefined, client.ClientSecretPost(SECRET), { [client.customFetch]: mapped });
      assert.equal(config.serverMetadata().issuer, `https://login.microsoftonline.us/${T}/v2.0`);
      assert.equal(config.serverMetadata().token_endpoint, `https://login.microsoftonline.us/${T}/oauth2/v2.0/token`);
      config[client.customFetch] = mapped;
      const tokens = await client.clientCredentialsGrant(config, { scope: 'https://graph.microsoft.us/.default' });
      assert.equal(decodeJwt(tokens.access_token).aud, 'https://graph.microsoft.us');
      const common = (await (await mapped('https://login.microsoftonline.us/organizations/v2.0/.well-known/openid-configuration')).json()) as Record<string, string>;
      assert.equal(common.issuer, 'https://login.microsoftonline.us/{tenantid}/v2.0');
      assert.equal(common.token_endpoint, 'https://login.microsoftonline.us/organizations/oauth2/v2.0/token');
      const page = (await (await mapped(`https://graph.microsoft.us/v1.0/groups?$top=1`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).json()) as Record<string, string>;
      assert.ok(page['@odata.nextLink']?.startsWith('https://graph.microsoft.us/v1.0/groups?'));
    } finally {
      await gov.close();
    }
  });
});
