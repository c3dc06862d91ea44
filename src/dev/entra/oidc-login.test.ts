// Sign-in through the emulator with the real relying-party library (openid-client v6): discovery,
// authorization code + PKCE, Entra-shaped ID-token claims, overage, step-up to an authentication
// context, CA blocks, disabled users, prompt=login and SSO reuse.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { startEntraEmulator, type EntraEmulator } from './index.ts';
import { TestBrowser, type Page } from './testing/browser.ts';

const FIXTURE = new URL('../../../dev/entra-fixture.yaml', import.meta.url).pathname;
const CALLBACK = 'http://127.0.0.1:9/oauth2/callback';
const CLIENT_ID = '8a3e6d2c-1f47-4b9a-b5e0-6c2d9f1a7e34';
const SECRET = 'dev-secret-change-me';
const GROUP = { finance: 'a1000000-0000-4000-8000-000000000001', staff: 'a1000000-0000-4000-8000-000000000002' };
const C1 = JSON.stringify({ id_token: { acrs: { essential: true, value: 'c1' } } });

let emulator: EntraEmulator;
let config: client.Configuration;

before(async () => {
  emulator = await startEntraEmulator({ fixturePath: FIXTURE, extraRedirectUris: [CALLBACK] });
  config = await client.discovery(new URL(emulator.issuer), CLIENT_ID, undefined, client.ClientSecretPost(SECRET), {
    execute: [client.allowInsecureRequests],
  });
});
after(() => emulator.close());

async function authorize(browser: TestBrowser, extra: Record<string, string> = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK, scope: 'openid profile email', state, nonce,
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra,
  });
  const page = await browser.open(url);
  const finish = async (callback: Page) => {
    assert.equal(callback.kind, 'callback', callback.kind === 'page' ? callback.html.slice(0, 600) : '');
    return client.authorizationCodeGrant(config, callback.url, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  };
  return { page, finish, state };
}

const login = (browser: TestBrowser, page: Page, username: string, password: string) =>
  browser.submit(page, '/login', { username, password });

describe('sign-in against the emulator', () => {
  test('discovery publishes Entra-shaped endpoints under the tenant', () => {
    const m = config.serverMetadata();
    const base = `${emulator.url}/${emulator.tenantId}`;
    assert.equal(m.issuer, `${base}/v2.0`);
    assert.equal(m.authorization_endpoint, `${base}/oauth2/v2.0/authorize`);
    assert.equal(m.token_endpoint, `${base}/oauth2/v2.0/token`);
    assert.equal(m.jwks_uri, `${base}/discovery/v2.0/keys`);
    assert.equal(m.end_session_endpoint, `${base}/oauth2/v2.0/logout`);
  });

  test('alice signs in with code + PKCE and gets Entra claims with transitive group ids', async () => {
    const browser = new TestBrowser(CALLBACK);
    const { page, finish } = await authorize(browser);
    assert.equal(page.kind, 'page');
    assert.match(page.kind === 'page' ? page.html : '', /alice@contoso\.com/, 'login page hints the demo users');
    const tokens = await finish(await login(browser, page, 'alice@contoso.com', 'alice'));
    const claims = tokens.claims();
    assert.ok(claims);
    assert.equal(claims.ver, '2.0');
    assert.equal(claims.tid, emulator.tenantId);
    assert.equal(claims.oid, '0c7d9a41-6e2b-4f3a-8d15-2b9e4c7a1f60');
    assert.equal(claims.aud, CLIENT_ID);
    assert.equal(claims.preferred_username, 'alice@contoso.com');
    assert.equal(claims.email, 'alice@contoso.com');
    assert.equal(claims.name, 'Alice Adams');
    assert.notEqual(claims.sub, claims.oid, 'sub is pairwise, not the object id');
    assert.match(String(claims.sub), /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual([...(claims.groups as string[])].sort(), [GROUP.finance, GROUP.staff]);
    assert.deepEqual(claims.amr, ['pwd']);
    assert.equal(claims.acrs, undefined);
  });

  test('carol is over the overage threshold: no groups, a Graph getMemberObjects source instead', async () => {
    const browser = new TestBrowser(CALLBACK);
    const { page, finish } = await authorize(browser);
    const claims = (await finish(await login(browser, page, 'carol@contoso.com', 'carol'))).claims();
    assert.ok(claims);
    assert.equal(claims.groups, undefined);
    assert.deepEqual(claims._claim_names, { groups: 'src1' });
    assert.deepEqual(claims._claim_sources, { src1: { endpoint: `${emulator.graphUrl}/v1.0/users/${claims.oid}/getMemberObjects` } });
  });

  test('a wrong password re-shows the form with AADSTS50126', async () => {
    const browser = new TestBrowser(CALLBACK);
    const { page } = await authorize(browser);
    const again = await login(browser, page, 'alice@contoso.com', 'wrong');
    assert.equal(again.kind, 'page');
    assert.equal(again.kind === 'page' && again.status, 401);
    assert.match(again.kind === 'page' ? again.html : '', /AADSTS50126/);
  });

  test('alice gets acrs c1 only after the second factor, and a step-up reuses her session', async () => {
    const browser = new TestBrowser(CALLBACK);
    const first = await authorize(browser);
    const plain = (await first.finish(await login(browser, first.page, 'alice@contoso.com', 'alice'))).claims();
    assert.equal(plain?.acrs, undefined);

    const step = await authorize(browser, { claims: C1 });
    assert.equal(step.page.kind, 'page');
    assert.match(step.page.kind === 'page' ? step.page.html : '', /Approve sign-in/, 'second factor page, no password form');
    assert.doesNotMatch(step.page.kind === 'page' ? step.page.html : '', /type="password"/);
    const claims = (await step.finish(await browser.submit(step.page, '/mfa', { approve: '1' }))).claims();
    assert.deepEqual(claims?.acrs, ['c1']);
    assert.deepEqual(claims?.amr, ['pwd', 'mfa']);
    assert.equal(claims?.oid, plain?.oid);
  });

  test('the access_token form of the claims request and a 6-digit code work too', async () => {
    const browser = new TestBrowser(CALLBACK);
    const { page, finish } = await authorize(browser, { claims: JSON.stringify({ access_token: { acrs: { essential: true, values: ['c1'] } } }) });
    const mfa = await login(browser, page, 'alice@contoso.com', 'alice');
    const bad = await browser.submit(mfa, '/mfa', { code: '12' });
    assert.equal(bad.kind === 'page' && bad.status, 401);
    const claims = (await finish(await browser.submit(bad, '/mfa', { code: '123456' }))).claims();
    assert.deepEqual(claims?.acrs, ['c1']);
  });

  test('bob (non-compliant device) is blocked on c1 with AADSTS53000 and returned with access_denied', async () => {
    const browser = new TestBrowser(CALLBACK);
    const { page, state } = await authorize(browser, { claims: C1 });
    const blocked = await login(browser, page, 'bob@contoso.com', 'bob');
    assert.equal(blocked.kind === 'page' && blocked.status, 403);
    assert.match(blocked.kind === 'page' ? blocked.html : '', /AADSTS53000/);
    const back = await browser.submit(blocked, '/return');
    assert.equal(back.kind, 'callback');
    assert.equal(back.url.searchParams.get('error'), 'access_denied');
    assert.match(back.url.searchParams.get('error_description') ?? '', /^AADSTS53000: Device is not in required device state: compliant/);
    assert.equal(back.url.searchParams.get('state'), state);
  });

  test('dave (disabled) gets AADSTS50057 and access_denied', async () => {
    const browser = new TestBrowser(CALLBACK);
    const { page } = await authorize(browser);
    const blocked = await login(browser, page, 'dave@contoso.com', 'dave');
    assert.match(blocked.kind === 'page' ? blocked.html : '', /AADSTS50057/);
    const back = await browser.submit(blocked, '/return');
    assert.equal(back.kind === 'callback' && back.url.searchParams.get('error'), 'access_denied');
    assert.match(back.kind === 'callback' ? back.url.searchParams.get('error_description') ?? '' : '', /^AADSTS50057/);
  });

  test('SSO session is reused silently, prompt=login forces the password, disabling blocks the session', async () => {
    const browser = new TestBrowser(CALLBACK);
    const first = await authorize(browser);
    await first.finish(await login(browser, first.page, 'erin@contoso.com', 'erin'));
    const silent = await authorize(browser);
    assert.equal(silent.page.kind, 'callback', 'no interaction with an SSO session');
    const forced = await authorize(browser, { prompt: 'login' });
    assert.match(forced.page.kind === 'page' ? forced.page.html : '', /type="password"/);

    emulator.directory.setAccountEnabled('erin@contoso.com', false);
    try {
      const again = await authorize(browser);
      assert.match(again.page.kind === 'page' ? again.page.html : '', /AADSTS50057/);
    } finally {
      emulator.directory.setAccountEnabled('erin@contoso.com', true);
    }
  });
});
