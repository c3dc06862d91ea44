// The Entra adapter against the emulator with the real openid-client: groups with names, overage
// through one Graph call, Graph failures failing closed, throttling, auth contexts via `claims`,
// and tokens from another tenant rejected with a clear reason.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEntraEmulator, type EntraEmulator } from '../../dev/entra/index.ts';
import { SignInError } from '../provider.ts';
import { createEntraProvider, type EntraProviderDeps } from './index.ts';
import { entraConfig, FIXTURE, CALLBACK, SECRET_CREDENTIAL, signInThroughEmulator } from './testing/emulator-sign-in.ts';

const GROUP = { finance: 'a1000000-0000-4000-8000-000000000001', staff: 'a1000000-0000-4000-8000-000000000002' };
const CAROL_GROUPS = ['Project Apollo', 'Project Borealis', 'Project Cirrus', 'Project Delta', 'Project Equinox', 'Project Fjord', 'Staff'];
const ALICE = { username: 'alice@contoso.com', password: 'alice' };
const CAROL = { username: 'carol@contoso.com', password: 'carol' };
const GRAPH_CALLS = '/v1.0/**';
const TOKEN_CALLS = 'POST /*/oauth2/v2.0/token';

let emulator: EntraEmulator;
before(async () => { emulator = await startEntraEmulator({ fixturePath: FIXTURE, extraRedirectUris: [CALLBACK] }); });
after(() => emulator.close());
beforeEach(() => { emulator.faults.clear(); emulator.requests.reset(); });

function harness(extra: EntraProviderDeps = {}) {
  const sleeps: number[] = [];
  const warnings: string[] = [];
  const provider = createEntraProvider(entraConfig(emulator), SECRET_CREDENTIAL, {
    sleep: async (ms) => { sleeps.push(ms); }, random: () => 0.5,
    logger: { warn: (_o, msg) => { warnings.push(msg); }, info: () => {} }, ...extra,
  });
  return { provider, sleeps, warnings };
}

describe('Entra sign-in: identity and groups', () => {
  test('alice gets tid:oid, email, token group ids and their display names from Graph', async () => {
    const { provider } = harness();
    const { identity } = await signInThroughEmulator(provider, ALICE);
    assert.equal(identity.userKey, `${emulator.tenantId}:0c7d9a41-6e2b-4f3a-8d15-2b9e4c7a1f60`);
    assert.equal(identity.email, 'alice@contoso.com');
    assert.equal(identity.name, 'Alice Adams');
    assert.equal(identity.idp, 'entra');
    assert.deepEqual([...identity.groups].sort(), [GROUP.finance, GROUP.staff]);
    const names = new Map(identity.groups.map((id, i) => [id, identity.groupNames[i]]));
    assert.equal(names.get(GROUP.finance), 'Finance');
    assert.equal(names.get(GROUP.staff), 'Staff');
    assert.deepEqual(identity.amr, ['pwd']);
    assert.deepEqual(identity.acrs, []);
    assert.equal(emulator.requestCount(GRAPH_CALLS), 1, 'names cost one Graph call');
  });

  test('carol (overage) gets all 7 groups with names from exactly one Graph round trip; the app token is cached across users', async () => {
    const { provider } = harness();
    const { identity } = await signInThroughEmulator(provider, CAROL);
    assert.deepEqual([...identity.groupNames].sort(), CAROL_GROUPS);
    assert.equal(identity.groups.length, 7);
    assert.equal(emulator.requestCount(GRAPH_CALLS), 1);
    assert.equal(emulator.requestCount('GET /v1.0/users/*/transitiveMemberOf/microsoft.graph.group'), 1);
    assert.equal(emulator.requestCount('POST /v1.0/**'), 0, 'never calls the getMemberObjects claim source');
    assert.equal(emulator.requestCount(TOKEN_CALLS), 2, 'code exchange + one app token');

    emulator.requests.reset();
    await signInThroughEmulator(provider, ALICE);
    assert.equal(emulator.requestCount(GRAPH_CALLS), 1);
    assert.equal(emulator.requestCount(TOKEN_CALLS), 1, 'only the code exchange: the app token is reused');
  });

  test('Graph 503 during overage fails the sign-in with groups_unavailable after bounded retries', async () => {
    const { provider, sleeps } = harness();
    emulator.faults.add({ path: '/v1.0/users/**', status: 503, count: 50 });
    await assert.rejects(signInThroughEmulator(provider, CAROL), (err: unknown) => {
      assert.ok(err instanceof SignInError);
      assert.equal(err.code, 'groups_unavailable');
      assert.match(err.message, /^could not read your group memberships from Microsoft Graph: ServiceUnavailable/);
      return true;
    });
    assert.equal(emulator.requestCount(GRAPH_CALLS), 4, 'four attempts, then give up');
    assert.deepEqual(sleeps, [250, 500, 1000], 'exponential backoff with jitter (random fixed at 0.5)');
  });

  test('Graph 503 with the groups claim present still fails closed (names must not silently be missing)', async () => {
    const { provider } = harness();
    emulator.faults.add({ path: '/v1.0/users/**', status: 503, count: 50 });
    await assert.rejects(signInThroughEmulator(provider, ALICE), { name: 'SignInError', code: 'groups_unavailable' });
  });

  test('Graph 429 with Retry-After is honoured, then the sign-in succeeds', async () => {
    const { provider, sleeps } = harness();
    emulator.faults.add({ path: '/v1.0/users/**', status: 429, retryAfter: 3, count: 1 });
    const { identity } = await signInThroughEmulator(provider, CAROL);
    assert.deepEqual(sleeps, [3000]);
    assert.deepEqual([...identity.groupNames].sort(), CAROL_GROUPS);
    assert.equal(emulator.requestCount(GRAPH_CALLS), 2);
  });

  test('no Graph permission (403) with the groups claim: ids stand in for names, with a warning', async () => {
    const { provider, warnings } = harness();
    emulator.faults.add({ path: '/v1.0/users/**', status: 403, code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' });
    const { identity } = await signInThroughEmulator(provider, ALICE);
    assert.deepEqual([...identity.groupNames].sort(), [GROUP.finance, GROUP.staff]);
    assert.deepEqual(identity.groupNames, identity.groups);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /GroupMember\.Read\.All/);
  });

  test('Graph disabled: the groups claim gives ids as names (warning); overage is refused', async () => {
    const { provider, warnings } = harness({ graph: null });
    const { identity } = await signInThroughEmulator(provider, ALICE);
    assert.deepEqual(identity.groupNames, identity.groups);
    assert.equal(identity.groups.length, 2);
    assert.equal(warnings.length, 1);
    await assert.rejects(signInThroughEmulator(provider, CAROL), { name: 'SignInError', code: 'groups_unavailable' });
    assert.equal(emulator.requestCount(GRAPH_CALLS), 0);
  });
});

describe('Entra sign-in: authentication contexts', () => {
  test('alice steps up to c1 through the claims parameter and the identity carries acrs c1 and mfa', async () => {
    const { provider } = harness();
    const { url } = await provider.begin({ redirectUri: CALLBACK, acrs: ['c1'] });
    assert.deepEqual(JSON.parse(new URL(url).searchParams.get('claims') ?? '{}').id_token, { acrs: { essential: true, value: 'c1' } });
    const { identity } = await signInThroughEmulator(provider, { ...ALICE, acrs: ['c1'] });
    assert.deepEqual(identity.acrs, ['c1']);
    assert.deepEqual(identity.amr, ['pwd', 'mfa']);
  });

  test('bob (non-compliant device) is refused c1 by Conditional Access: a SignInError with the AADSTS code', async () => {
    const { provider } = harness();
    await assert.rejects(signInThroughEmulator(provider, { username: 'bob@contoso.com', password: 'bob', acrs: ['c1'] }), (err: unknown) => {
      assert.ok(err instanceof SignInError);
      assert.equal(err.code, 'idp_access_denied');
      assert.match(err.message, /AADSTS53000/);
      return true;
    });
  });

  test('a sign-in without the step-up has no acrs, so a c1 policy cannot be met by it', async () => {
    const { provider } = harness();
    const { identity } = await signInThroughEmulator(provider, { username: 'bob@contoso.com', password: 'bob' });
    assert.deepEqual(identity.acrs, []);
  });
});

describe('Entra sign-in: tenant pinning', () => {
  const OTHER = '99999999-9999-4999-8999-999999999999';

  /**
   * Presents the emulator's tenant as tenant OTHER: paths are mapped OTHER → real tenant and the
   * discovery document is rewritten, but the ID tokens still say the real tenant — exactly a
   * token from another tenant arriving at an app configured for OTHER.
   */
  function otherTenantFetch(): typeof fetch {
    return (async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : input);
      url.pathname = url.pathname.replace(`/${OTHER}/`, `/${emulator.tenantId}/`);
      const res = await fetch(input instanceof Request ? new Request(url, input) : url, init);
      if (!url.pathname.endsWith('/openid-configuration')) return res;
      const text = (await res.text()).replaceAll(emulator.tenantId, OTHER);
      return new Response(text, { status: res.status, headers: res.headers });
    }) as typeof fetch;
  }

  test('a token from another tenant is rejected with wrong_tenant naming both tenants', async () => {
    const f = otherTenantFetch();
    const provider = createEntraProvider(entraConfig(emulator, { tenantId: OTHER }), SECRET_CREDENTIAL, { fetch: f, graph: null });
    await assert.rejects(signInThroughEmulator(provider, { ...ALICE, fetch: f }), (err: unknown) => {
      assert.ok(err instanceof SignInError);
      assert.equal(err.code, 'wrong_tenant');
      assert.match(err.message, new RegExp(`from tenant ${emulator.tenantId}, not ${OTHER}`));
      return true;
    });
  });

  test('discovery for the wrong tenant is refused before any redirect', async () => {
    // Tenant OTHER's path mapped to the real tenant, but its metadata left untouched.
    const f = (async (input: string | URL | Request, init?: RequestInit) => fetch(String(input instanceof Request ? input.url : input).replace(OTHER, emulator.tenantId), init)) as typeof fetch;
    const provider = createEntraProvider(entraConfig(emulator, { tenantId: OTHER }), SECRET_CREDENTIAL, { fetch: f, graph: null });
    await assert.rejects(provider.begin({ redirectUri: CALLBACK }), { name: 'SignInError', code: 'wrong_tenant' });
  });
});
