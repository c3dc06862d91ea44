// The Access request path end to end over real sockets: routing, deny by default, identity to the
// origin, header stripping, and the bad-input cases of the Foundation issue.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { startStack, sessionFor, type Stack } from '../harness/stack.ts';

describe('access request path', () => {
  let s: Stack;
  before(async () => { s = await startStack(); });
  after(async () => { await s.close(); });

  test('an anonymous browser is sent to the auth host with a return URL; XHR gets 401', async () => {
    const b = s.browser();
    const r = await b.get(`${s.wikiUrl}/page?x=1`);
    assert.equal(r.status, 302);
    const loc = new URL(String(r.headers.location));
    assert.equal(loc.origin, s.authUrl);
    assert.equal(loc.pathname, '/oauth2/start');
    assert.equal(loc.searchParams.get('rd'), `${s.wikiUrl}/page?x=1`);
    const x = await b.get(`${s.wikiUrl}/api`, { headers: { 'x-requested-with': 'XMLHttpRequest' } });
    assert.equal(x.status, 401);
    assert.match(String(x.headers['content-type']), /json/);
    assert.equal(s.wiki.seen.length, 0, 'nothing reached the origin');
  });

  test('a valid session reaches the origin with a verifiable assertion and identity headers; forged ones are stripped', async () => {
    const secret = await sessionFor(s, 'alice@contoso.com', 'wiki');
    const b = s.browser();
    b.jar.set('wiki.localtest.me', new Map([['moatless_session', secret]]));
    const before = s.wiki.seen.length;
    const r = await b.get(`${s.wikiUrl}/hello`, { headers: { 'moatless-jwt-assertion': 'forged', 'x-remote-user': 'mallory@evil.example', 'x-forwarded-for': '6.6.6.6', 'cookie': `moatless_session=${secret}; theirs=1` } });
    assert.equal(r.status, 200);
    const seen = s.wiki.seen[before]!;
    assert.equal(seen.headers['x-remote-user'], 'alice@contoso.com');
    assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1', 'an untrusted client cannot set its own address');
    assert.equal(seen.headers.cookie, 'theirs=1', 'Moatless cookies never reach the origin');
    const jwt = String(seen.headers['moatless-jwt-assertion']);
    assert.notEqual(jwt, 'forged');
    const certs = await b.get(`${s.wikiUrl}/.moatless/certs`);
    const { payload, protectedHeader } = await jwtVerify(jwt, createLocalJWKSet(JSON.parse(certs.body)), { issuer: s.authUrl, algorithms: ['ES256'] });
    assert.equal(protectedHeader.alg, 'ES256');
    assert.equal(payload.email, 'alice@contoso.com');
    assert.deepEqual(payload.groups, ['Staff']);
    assert.ok(Array.isArray(payload.aud) && payload.aud.length === 1);
  });

  test('a wiki session does not open payroll (sessions are per app)', async () => {
    const secret = await sessionFor(s, 'alice@contoso.com', 'wiki');
    const b = s.browser();
    b.jar.set('payroll.localtest.me', new Map([['moatless_session', secret]]));
    const r = await b.get(`${s.payrollUrl}/`);
    assert.equal(r.status, 302, 'treated as not signed in to payroll');
    assert.equal(s.payroll.seen.length, 0);
  });

  test('a session without auth context c1 is sent to step-up on payroll, not refused', async () => {
    const secret = await sessionFor(s, 'alice@contoso.com', 'payroll');
    const b = s.browser();
    b.jar.set('payroll.localtest.me', new Map([['moatless_session', secret]]));
    const r = await b.get(`${s.payrollUrl}/`);
    assert.equal(r.status, 302);
    assert.equal(new URL(String(r.headers.location)).searchParams.get('acrs'), 'c1');
    const ok = await sessionFor(s, 'alice@contoso.com', 'payroll', { acrs: ['c1'] });
    b.jar.set('payroll.localtest.me', new Map([['moatless_session', ok]]));
    assert.equal((await b.get(`${s.payrollUrl}/`)).status, 200);
  });

  test('a user outside every allow policy gets a 403 page with a request id', async () => {
    const secret = await sessionFor(s, 'zed@contoso.com', 'wiki', { groups: ['Visitors'] });
    const b = s.browser();
    b.jar.set('wiki.localtest.me', new Map([['moatless_session', secret]]));
    const r = await b.get(`${s.wikiUrl}/`);
    assert.equal(r.status, 403);
    assert.match(r.body, /Request ID: <code>[0-9a-f]{8}-[0-9a-f]{8}<\/code>/);
    assert.ok(r.headers['moatless-request-id']);
  });

  const attacks: Array<[string, string, Record<string, string>, number]> = [
    ['encoded dot segments', '/%2e%2e/admin', {}, 400],
    ['plain dot segments', '/a/../admin', {}, 400],
    ['encoded slash', '/a%2fb', {}, 400],
    ['double slash', '//evil.example/x', {}, 400],
    ['backslash', '/a\\b', {}, 400],
    ['malformed cookie', '/', { cookie: 'moatless_session=%%%; ===' }, 302],
    ['forged session value', '/', { cookie: `moatless_session=${'A'.repeat(43)}` }, 302],
    ['unknown host', '/', { host: 'nope.localtest.me' }, 404],
    ['garbage host', '/', { host: 'bad host!' }, 400],
  ];
  for (const [name, path, headers, status] of attacks) {
    test(`bad input: ${name} → ${status}, nothing reaches the origin`, async () => {
      const before = s.wiki.seen.length;
      // Sent byte for byte: a URL parser would normalise the trick away before it reached us.
      const r = await s.browser().get(`${s.wikiUrl}/`, { headers, rawPath: path });
      assert.equal(r.status, status);
      assert.equal(s.wiki.seen.length, before);
    });
  }
});

describe('logout', () => {
  let s: Stack;
  before(async () => { s = await startStack(); });
  after(async () => { await s.close(); });

  test('a cross-site <img> cannot sign the user out; a navigation ends every app session', async () => {
    const wiki = await sessionFor(s, 'alice@contoso.com', 'wiki');
    const b = s.browser();
    b.jar.set('wiki.localtest.me', new Map([['moatless_session', wiki]]));
    const forced = await b.get(`${s.wikiUrl}/.moatless/logout`, { headers: { 'sec-fetch-dest': 'image', 'sec-fetch-site': 'cross-site' } });
    assert.equal(forced.status, 403);
    assert.equal((await b.get(`${s.wikiUrl}/`)).status, 200, 'still signed in');
    const out = await b.get(`${s.wikiUrl}/.moatless/logout`, { headers: { 'sec-fetch-dest': 'document' } });
    assert.equal(out.status, 302);
    assert.equal(new URL(String(out.headers.location)).pathname, '/logout');
    b.jar.set('wiki.localtest.me', new Map([['moatless_session', wiki]]));
    assert.equal((await b.get(`${s.wikiUrl}/`)).status, 302, 'the old cookie no longer works');
  });
});

describe('access log', () => {
  let s: Stack;
  before(async () => { s = await startStack(); });
  after(async () => { await s.close(); });

  test('each decision is stored with user, app, policy and reasons that name the group', async () => {
    const secret = await sessionFor(s, 'alice@contoso.com', 'wiki');
    const b = s.browser();
    b.jar.set('wiki.localtest.me', new Map([['moatless_session', secret]]));
    const r = await b.get(`${s.wikiUrl}/logged`);
    const requestId = String(r.headers['moatless-request-id']);
    let entry;
    for (let i = 0; i < 60 && !entry; i++) {
      entry = (await s.moatless.store.accessLog.query({ limit: 20 })).find((e) => e.requestId === requestId);
      if (!entry) await new Promise((res) => setTimeout(res, 50));
    }
    assert.ok(entry, 'the entry reached the store');
    assert.equal(entry.email, 'alice@contoso.com');
    assert.equal(entry.appId, 'wiki');
    assert.equal(entry.action, 'allow');
    assert.equal(entry.policy, 'staff');
    assert.equal(entry.status, 200);
    assert.equal(entry.path, '/logged');
    assert.ok(entry.reasons.some((x) => x === 'group.match: Staff'), entry.reasons.join(', '));
  });
});
