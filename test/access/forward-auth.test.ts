// Forward-auth through the proxies users already run: real nginx (auth_request) and real Caddy
// (forward_auth) with the documented configs of deploy/forward-auth/, in front of a forwardAuth app
// whose access is decided by Moatless's /.moatless/verify: the sign-in redirect, the session and the
// identity the origin gets, forged headers, revocation and policy refusals, as with the built-in proxy.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { resolve } from 'node:path';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { TestBrowser as IdpBrowser } from '../../src/dev/entra/testing/browser.ts';
import { audienceFor } from '../../src/access/runtime.ts';
import { bindingCookieName } from '../../src/access/handoff-binding.ts';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream.ts';
import { FORWARD_AUTH_DIR, startCaddy, startNginx, type RunningProxy } from '../harness/forward-auth-proxies.ts';
import { freePort } from '../harness/ports.ts';
import { defaultApps, sessionFor, startStack, TENANT, type Stack } from '../harness/stack.ts';

const staffOnly = [
  { name: 'ci', action: 'service_auth', include: [{ serviceToken: 'ci' }] },
  { name: 'staff', action: 'allow', include: [{ group: ['Staff'] }] },
];
const CI_TOKEN = { 'moatless-access-client-id': 'ci-client-0001', 'moatless-access-client-secret': 's3cret-s3cret' };
const fwdApp = (id: string, host: string) => ({
  id, name: id.toUpperCase(), hosts: [host], mode: 'forwardAuth',
  identityHeaders: { user: 'x-remote-user', groups: 'x-remote-groups' }, policies: staffOnly,
});

let s: Stack;
let origin: FakeUpstream;
before(async () => {
  const port = await freePort();
  origin = await startFakeUpstream();
  s = await startStack({
    port,
    apps: (wiki, payroll) => [...defaultApps(wiki, payroll), fwdApp('nx', 'nx.localtest.me'), fwdApp('cd', 'cd.localtest.me')],
    extra: { serviceTokens: [{ name: 'ci', clientId: 'ci-client-0001', clientSecret: 's3cret-s3cret' }], server: {
      listeners: [{ address: `127.0.0.1:${port}` }], authUrl: `http://auth.localtest.me:${port}`, shutdownGrace: '2s',
      forwardAuth: { trustedCallers: ['127.0.0.1'] },
    } },
  });
});
after(async () => {
  await s.close();
  await origin.close();
});

/** A raw request to Moatless itself, from a chosen loopback address (127.0.0.2 is not a trusted caller). */
function direct(path: string, headers: Record<string, string>, localAddress = '127.0.0.1'): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: s.port, path, localAddress, headers: { host: `moatless.internal:${s.port}`, ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

const proxies: { name: string; appId: string; host: string; start: typeof startNginx }[] = [
  { name: 'nginx auth_request', appId: 'nx', host: 'nx.localtest.me', start: startNginx },
  { name: 'Caddy forward_auth', appId: 'cd', host: 'cd.localtest.me', start: startCaddy },
];

for (const p of proxies) {
  describe(`an app behind ${p.name}, checked by Moatless`, () => {
    let proxy: RunningProxy;
    let app: string;
    before(async () => {
      proxy = await p.start({ host: p.host, moatlessPort: s.port, upstreamPort: origin.port });
      app = `http://${p.host}:${proxy.port}`;
    });
    after(async () => { await proxy?.stop(); });

    const lastSeen = () => origin.seen.at(-1)!;

    test('without a session the browser is sent to sign in, returning to the page it asked for', async () => {
      const before = origin.seen.length;
      const r = await s.browser().get(`${app}/docs/page?x=1`);
      assert.equal(r.status, 302, proxy.output());
      const start = new URL(String(r.headers.location));
      assert.equal(`${start.origin}${start.pathname}`, `${s.authUrl}/oauth2/start`);
      assert.equal(start.searchParams.get('rd'), `${app}/docs/page?x=1`);
      const nonce = start.searchParams.get('n');
      const cookie = String(r.headers['set-cookie']);
      assert.match(cookie, new RegExp(`^${bindingCookieName(nonce ?? '')}=${nonce}; .*Path=/\\.moatless/callback`), 'binding cookie set on the app host');
      assert.equal(origin.seen.length, before, 'nothing reached the origin');
    });

    test('a full sign-in at the IdP through the proxy lands on the page, and the origin gets the verified identity', async () => {
      const b = s.browser();
      const toStart = await b.get(`${app}/welcome?from=test`);
      const toIdp = await b.get(String(toStart.headers.location));
      const idp = new IdpBrowser(`${s.authUrl}/oauth2/callback`);
      const form = await idp.open(String(toIdp.headers.location));
      const done = await idp.submit(form, '/login', { username: 'alice@contoso.com', password: 'alice' });
      assert.equal(done.kind, 'callback');
      const r = await b.follow(done.url.href);
      assert.ok(r.chain.some((u) => u.startsWith(`${app}/.moatless/callback?code=`)), r.chain.join(' -> '));
      assert.equal(r.status, 200, r.body);
      assert.equal(r.url.href, `${app}/welcome?from=test`);
      assert.equal(lastSeen().url, '/welcome?from=test');
      assert.equal(lastSeen().headers['x-remote-user'], 'alice@contoso.com');
    });

    test('with a session the origin receives the identity headers and an assertion that verifies with the JWKS', async () => {
      const b = s.browser();
      b.jar.set(p.host, new Map([['moatless_session', await sessionFor(s, 'alice@contoso.com', p.appId)]]));
      const r = await b.get(`${app}/reports`);
      assert.equal(r.status, 200, r.body);
      const h = lastSeen().headers;
      assert.equal(h['x-remote-user'], 'alice@contoso.com');
      assert.equal(h['x-remote-groups'], 'Staff');
      const certs = await b.get(`${app}/.moatless/certs`);
      assert.equal(certs.status, 200);
      const { payload } = await jwtVerify(String(h['moatless-jwt-assertion']), createLocalJWKSet(JSON.parse(certs.body)), {
        issuer: s.authUrl, audience: audienceFor(p.appId), algorithms: ['ES256'],
      });
      assert.equal(payload.email, 'alice@contoso.com');
      assert.equal(payload.sub, `${TENANT}:alice@contoso.com`);
    });

    test('identity headers forged by the client never reach the origin; the verify answer never reaches the client', async () => {
      const b = s.browser();
      b.jar.set(p.host, new Map([['moatless_session', await sessionFor(s, 'alice@contoso.com', p.appId)]]));
      const forged = { 'x-remote-user': 'ceo@contoso.com', 'x-remote-groups': 'Admins', 'moatless-jwt-assertion': 'forged.jwt.value' };
      const r = await b.get(`${app}/reports`, { headers: forged });
      assert.equal(r.status, 200);
      const h = lastSeen().headers;
      assert.equal(h['x-remote-user'], 'alice@contoso.com');
      assert.equal(h['x-remote-groups'], 'Staff');
      assert.notEqual(h['moatless-jwt-assertion'], 'forged.jwt.value');
      // Admitted on a service token, Moatless sends no user headers: the client's must not stand in.
      const ci = await s.browser().get(`${app}/deploy`, { headers: { ...forged, ...CI_TOKEN } });
      assert.equal(ci.status, 200, ci.body);
      assert.doesNotMatch(String(lastSeen().headers['x-remote-user']), /ceo@/);
      assert.doesNotMatch(String(lastSeen().headers['x-remote-groups']), /Admins/);
      const svc = decodeJwt(String(lastSeen().headers['moatless-jwt-assertion']));
      assert.deepEqual(svc.custom, { common_name: 'ci' });
      // Without a session the forged headers get the browser a sign-in redirect, not the origin.
      const before = origin.seen.length;
      const anon = await s.browser().get(`${app}/reports`, { headers: forged });
      assert.equal(anon.status, 302);
      assert.equal(origin.seen.length, before);
      // Asking the check directly through the proxy does not hand the client Moatless's answer.
      const probe = await b.get(`${app}/.moatless/verify`, { headers: { 'x-original-url': `${app}/reports` } });
      assert.equal(probe.headers['moatless-jwt-assertion'], undefined);
      assert.equal(probe.headers['x-remote-user'], undefined);
    });

    test('a revoked session is refused on the next request', async () => {
      const b = s.browser();
      b.jar.set(p.host, new Map([['moatless_session', await sessionFor(s, 'dave@contoso.com', p.appId)]]));
      assert.equal((await b.get(`${app}/a`)).status, 200);
      await s.moatless.sessions.revokeUser({ email: 'dave@contoso.com' }, 'test');
      const r = await b.get(`${app}/a`);
      assert.equal(r.status, 302);
      assert.match(String(r.headers.location), /\/oauth2\/start\?/);
    });

    test('a user the policy refuses gets the 403 deny page, and nothing reaches the origin', async () => {
      const b = s.browser();
      b.jar.set(p.host, new Map([['moatless_session', await sessionFor(s, 'erin@contoso.com', p.appId, { groups: ['Contractors'] })]]));
      const before = origin.seen.length;
      const r = await b.get(`${app}/payroll`);
      assert.equal(r.status, 403, r.body);
      assert.match(r.body, /Access denied/);
      assert.match(r.body, /signed in as erin@contoso\.com, but your access policy does not allow/);
      assert.equal(origin.seen.length, before);
    });
  });
}

test('docs/forward-auth.md shows the tested configs verbatim', () => {
  const doc = readFileSync(resolve(FORWARD_AUTH_DIR, '../../docs/forward-auth.md'), 'utf8');
  for (const f of ['nginx.conf', 'Caddyfile', 'traefik.yml']) {
    assert.ok(doc.includes(readFileSync(resolve(FORWARD_AUTH_DIR, f), 'utf8')), `docs/forward-auth.md lacks deploy/forward-auth/${f}`);
  }
});

describe('the verify endpoint itself', () => {
  const url = () => `http://nx.localtest.me:8443/docs`;

  test('answers only a trusted forward-auth caller; the forwarded headers of anyone else are refused', async () => {
    const r = await direct('/.moatless/verify', { 'x-original-url': url() }, '127.0.0.2');
    assert.equal(r.status, 403);
    assert.equal(r.headers['moatless-jwt-assertion'], undefined);
  });

  test('nginx style answers 401 to sign in; mode=redirect answers the 302 with the binding cookie', async () => {
    assert.equal((await direct('/.moatless/verify', { 'x-original-url': url() })).status, 401);
    const r = await direct('/.moatless/verify?mode=redirect', { 'x-forwarded-host': 'nx.localtest.me:8443', 'x-forwarded-uri': '/docs', 'x-forwarded-proto': 'http' });
    assert.equal(r.status, 302);
    assert.equal(new URL(String(r.headers.location)).searchParams.get('rd'), url());
    assert.match(String(r.headers['set-cookie']), /^moatless_handoff_[A-Za-z0-9_-]{12}=/);
  });

  test('refuses an ambiguous forwarded path, an app that is not forwardAuth, and a missing URL', async () => {
    assert.equal((await direct('/.moatless/verify', { 'x-original-url': 'http://nx.localtest.me/a/../admin' })).status, 400);
    assert.equal((await direct('/.moatless/verify', { 'x-original-url': 'http://nx.localtest.me/a%2Fb' })).status, 400);
    assert.equal((await direct('/.moatless/verify', {})).status, 400);
    assert.equal((await direct('/.moatless/verify', { 'x-original-url': 'http://wiki.localtest.me/' })).status, 404);
  });

  test('a forwardAuth app is never proxied by Moatless: its host answers only /.moatless/ paths', async () => {
    const r = await s.browser().get(`http://nx.localtest.me:${s.port}/docs`);
    assert.equal(r.status, 421);
    assert.equal((await s.browser().get(`http://nx.localtest.me:${s.port}/.moatless/certs`)).status, 200);
  });
});
