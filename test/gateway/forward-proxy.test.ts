// The forward proxy end to end on loopback: a user creates a device credential on the auth host,
// browses through the gateway; the seed policy isolates a high-risk user; a blocked domain gets the
// block page; bad credentials, revoked sessions and deprovisioned users are refused at once; and
// every request lands in the gateway log.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGatewayStack, type GatewayStack } from './harness.ts';

const RISKY = 'IdentityProtection-RiskyUser-RiskLevel-high';
let s: GatewayStack;
let app1: string;

before(async () => {
  s = await startGatewayStack({
    gateway: {
      rules: [
        { name: 'Isolate risky users', action: 'isolate', when: { and: [{ domain: { in: ['app1.example.com', 'app2.example.com'] } }, { userGroupNames: { in: [RISKY] } }] } },
        { name: 'No blocked.example.com', action: 'block', when: { domain: { is: 'blocked.example.com' } }, block: { message: 'Not for work.' } },
        { name: 'Local test upstream', action: 'allow', when: { destinationIp: { is: '127.0.0.1' } } },
      ],
    },
  });
  app1 = `http://app1.example.com:${s.upstream.port}`;
});
after(() => s.close());

test('a low-risk user with a device credential reaches app1 through the proxy; the credential never reaches the upstream', async () => {
  const cred = await s.createCredential(await s.signIn('alice@contoso.com', ['Staff']));
  const r = await s.proxy('GET', `${app1}/hello?x=1`, { 'proxy-authorization': cred.auth, connection: 'keep-alive, x-secret', 'x-secret': 'hop' });
  assert.equal(r.status, 200, r.body);
  const seen = JSON.parse(r.body) as { url: string; headers: Record<string, string> };
  assert.equal(seen.url, '/hello?x=1');
  assert.equal(seen.headers['proxy-authorization'], undefined);
  assert.equal(seen.headers['x-secret'], undefined);
  assert.equal(seen.headers.host, `app1.example.com:${s.upstream.port}`);
});

test('the seed policy: a high-risk user\'s page load goes to the viewer, an API call is blocked', async () => {
  const cookie = await s.signIn('bob@contoso.com', ['Staff']);
  const cred = await s.createCredential(cookie);
  s.directory.set('bob@contoso.com', { groups: [RISKY], riskLevel: 'high', active: true });
  const nav = await s.proxy('GET', `${app1}/docs`, { 'proxy-authorization': cred.auth, accept: 'text/html,application/xhtml+xml' });
  assert.equal(nav.status, 302);
  assert.equal(nav.headers.location, `http://${s.authHost}/browser/${app1}/docs`);
  const api = await s.proxy('GET', `${app1}/api`, { 'proxy-authorization': cred.auth, accept: 'application/json' });
  assert.equal(api.status, 403);
  // The viewer's placeholder (src/isolation mounts the real one). The Access request guard refuses
  // the `//` of `/browser/http://…` today, so it is fetched without a target here.
  const viewer = await s.authGet('/browser/');
  assert.equal(viewer.status, 503);
  assert.match(viewer.body, /not available yet/);
  // When the risk drops, isolation stops.
  s.directory.set('bob@contoso.com', { groups: [], riskLevel: 'none', active: true });
  assert.equal((await s.proxy('GET', `${app1}/docs`, { 'proxy-authorization': cred.auth, accept: 'text/html' })).status, 200);
});

test('a blocked domain gets the block page with the rule\'s message and a request id', async () => {
  const cred = await s.createCredential(await s.signIn('carol@contoso.com'));
  const r = await s.proxy('GET', `http://blocked.example.com:${s.upstream.port}/`, { 'proxy-authorization': cred.auth, accept: 'text/html' });
  assert.equal(r.status, 403);
  assert.match(r.body, /Not for work\./);
  assert.match(r.body, /Request ID: <code>[0-9a-f]{8}-[0-9a-f]{8}<\/code>/);
});

test('no credential: 407 with Proxy-Authenticate; a wrong secret or a malformed header: 407 too', async () => {
  const none = await s.proxy('GET', `${app1}/`);
  assert.equal(none.status, 407);
  assert.match(String(none.headers['proxy-authenticate']), /^Basic realm="Moatless Gateway"/);
  const cred = await s.createCredential(await s.signIn('dave@contoso.com'));
  const wrong = `Basic ${Buffer.from(`${cred.id}:nope`).toString('base64')}`;
  assert.equal((await s.proxy('GET', `${app1}/`, { 'proxy-authorization': wrong })).status, 407);
  assert.equal((await s.proxy('GET', `${app1}/`, { 'proxy-authorization': 'Bearer x' })).status, 407);
});

test('a credential dies with a revoke, with its session, and with deprovisioning — on the next request', async () => {
  const cookie = await s.signIn('erin@contoso.com');
  const a = await s.createCredential(cookie, 'phone');
  const b = await s.createCredential(cookie, 'tablet');
  assert.equal((await s.proxy('GET', `${app1}/`, { 'proxy-authorization': a.auth })).status, 200);
  // Revoke one device on the devices page (CSRF-checked form).
  const page = await s.authGet('/gateway/devices', cookie);
  const csrf = /name="csrf" value="([0-9a-f]+)"/.exec(page.body)![1]!;
  assert.equal((await s.authPost('/gateway/devices/revoke', { csrf, id: a.id }, cookie, 'http://evil.example')).status, 403);
  assert.equal((await s.authPost('/gateway/devices/revoke', { csrf: 'x', id: a.id }, cookie)).status, 403);
  assert.equal((await s.authPost('/gateway/devices/revoke', { csrf, id: a.id }, cookie)).status, 303);
  assert.equal((await s.proxy('GET', `${app1}/`, { 'proxy-authorization': a.auth })).status, 407);
  assert.equal((await s.proxy('GET', `${app1}/`, { 'proxy-authorization': b.auth })).status, 200);
  // Deprovisioned (SCIM active=false): dead at once; back when active again.
  s.directory.set('erin@contoso.com', { groups: [], active: false });
  assert.equal((await s.proxy('GET', `${app1}/`, { 'proxy-authorization': b.auth })).status, 407);
  s.directory.delete('erin@contoso.com');
  // Sessions revoked (logout, `moatless sessions revoke`): the credential is dead too.
  await s.moatless.sessions.revokeUser({ email: 'erin@contoso.com' }, 'test');
  assert.equal((await s.proxy('GET', `${app1}/`, { 'proxy-authorization': b.auth })).status, 407);
});

test('the PAC file names the proxy and leaves the auth host direct; unknown devices get 404', async () => {
  const cred = await s.createCredential(await s.signIn('frank@contoso.com'));
  const pac = await s.authGet(`/gateway/pac/${cred.id}.pac`);
  assert.equal(pac.status, 200);
  assert.equal(pac.headers['content-type'], 'application/x-ns-proxy-autoconfig');
  assert.match(pac.body, new RegExp(`return "PROXY 127\\.0\\.0\\.1:${s.gwPort}"`));
  assert.match(pac.body, /"auth\.localtest\.me"/);
  assert.equal((await s.authGet('/gateway/pac/gw_0000000000000000.pac')).status, 404);
  // Without a session the devices page starts the sign-in (devices-sign-in.test.ts); its forms are refused.
  assert.equal((await s.authGet('/gateway/devices')).status, 302);
  assert.equal((await s.authPost('/gateway/devices', { label: 'x' }, '')).status, 401);
});

test('every request is in the gateway log with user, matched groups, action, status and isolation', async () => {
  const rows = await s.logRows(100);
  const iso = rows.find((r) => r.email === 'bob@contoso.com' && r.isolation === 'redirected');
  assert.ok(iso, 'isolation redirect logged');
  assert.equal(iso.action, 'isolate');
  assert.equal(iso.policy, 'Isolate risky users');
  assert.deepEqual(iso.groups, [RISKY]);
  assert.equal(iso.status, 302);
  const blocked = rows.find((r) => r.email === 'bob@contoso.com' && r.isolation === 'blocked');
  assert.equal(blocked?.status, 403);
  const ok = rows.find((r) => r.email === 'alice@contoso.com');
  assert.ok(ok && ok.action === 'allow' && ok.status === 200 && ok.bytes > 0 && ok.url.endsWith('/hello?x=1') && ok.method === 'GET');
  assert.ok(rows.some((r) => r.status === 407 && r.action === 'refused'));
});
