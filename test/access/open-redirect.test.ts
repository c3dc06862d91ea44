// The post-login return URL is only ever a protected host of ours: every other target is refused
// on the auth host before any sign-in starts (no open redirect).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bindingCookieName } from '../../src/access/handoff-binding.ts';
import { startStack, type Stack } from '../harness/stack.ts';

describe('return URLs', () => {
  let s: Stack;
  before(async () => { s = await startStack(); });
  after(async () => { await s.close(); });

  const bad = (port: number) => [
    'http://evil.example/',
    '//evil.example/',
    'javascript:alert(1)',
    `http://user:pass@wiki.localtest.me:${port}/`,
    `http://wiki.localtest.me.evil.example:${port}/`,
    `http://auth.localtest.me:${port}/logout`,
    'data:text/html,<script>alert(1)</script>',
    '',
    // The auth host itself: only its /admin/ pages are return targets, on exactly its origin.
    `http://auth.localtest.me:${port}/`,
    `http://auth.localtest.me:${port}/admin`,
    `http://auth.localtest.me:${port}/admin/..%2flogout`,
    `http://auth.localtest.me:${port + 1}/admin/`,
    `https://auth.localtest.me:${port}/admin/`,
    `http://auth.localtest.me.evil.example:${port}/admin/`,
    `http://user:pass@auth.localtest.me:${port}/admin/`,
    `//auth.localtest.me:${port}/admin/`,
  ];
  test('foreign, malformed and non-app return URLs get a 400 page, never a redirect', async () => {
    for (const rd of bad(s.port)) {
      const r = await s.browser().get(`${s.authUrl}/oauth2/start?n=AAAAAAAAAAAAAAAAAAAAAA&rd=${encodeURIComponent(rd)}`);
      assert.equal(r.status, 400, `rd=${rd}`);
      assert.equal(r.headers.location, undefined, `rd=${rd}`);
    }
  });

  test('a start link without the app host\'s binding nonce goes back to the app, which sets one', async () => {
    const b = s.browser();
    const r = await b.get(`${s.authUrl}/oauth2/start?rd=${encodeURIComponent(`${s.wikiUrl}/page?q=1`)}`);
    assert.equal(r.status, 302);
    assert.equal(String(r.headers.location), `${s.wikiUrl}/page?q=1`);
    const app = await b.get(String(r.headers.location));
    const start = new URL(String(app.headers.location));
    assert.match(start.searchParams.get('n') ?? '', /^[A-Za-z0-9_-]{22}$/);
    const n = start.searchParams.get('n') ?? '';
    assert.equal(b.cookie('wiki.localtest.me', bindingCookieName(n)), n, 'the same nonce is set as a cookie on the app host, named after it');
  });

  test('a protected app URL starts the sign-in at the identity provider', async () => {
    const r = await s.browser().get(`${s.authUrl}/oauth2/start?n=AAAAAAAAAAAAAAAAAAAAAA&rd=${encodeURIComponent(`${s.wikiUrl}/page?q=1`)}`);
    assert.equal(r.status, 302);
    const idp = new URL(String(r.headers.location));
    assert.equal(idp.origin, s.emulator.url);
    assert.equal(idp.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(idp.searchParams.get('state') && idp.searchParams.get('nonce'));
    assert.equal(idp.searchParams.get('claims'), null, 'the wiki needs no auth context, so no Conditional Access prompt is asked for');
  });

  test('a callback with a state this browser did not start is refused', async () => {
    const r = await s.browser().follow(`${s.authUrl}/oauth2/callback?code=x&state=made-up`);
    assert.equal(r.status, 400);
    assert.match(r.body, /Sign-in expired/);
  });
});

describe('hand-off codes', () => {
  let s: Stack;
  before(async () => { s = await startStack(); });
  after(async () => { await s.close(); });

  test('a hand-off code only works in the browser that started the sign-in (no login CSRF)', async () => {
    const identity = { userKey: 't:mallory', email: 'mallory@contoso.com', idp: 'entra', groups: ['a1000000-0000-4000-8000-000000000002'], groupNames: ['Staff'], amr: [], acrs: [], claims: {} };
    const g = await s.moatless.sessions.createGlobal({ identity, durationMs: 3_600_000, ip: null, userAgent: null });
    const mint = (nonce: string) => s.moatless.server.auth.signins.putHandoff({ globalSessionId: g.record.id, appId: 'wiki', returnUrl: `${s.wikiUrl}/`, durationMs: 60_000, browserNonce: nonce });
    const nonce = 'MMMMMMMMMMMMMMMMMMMMMM';

    // The attacker's code, opened in a victim's browser that never started this sign-in.
    const victim = s.browser();
    const planted = await victim.get(`${s.wikiUrl}/.moatless/callback?code=${await mint(nonce)}`);
    assert.equal(planted.status, 400);
    assert.equal(victim.cookie('wiki.localtest.me', 'moatless_session'), undefined, 'no session was planted');
    // A victim holding a different nonce (their own pending sign-in) fares the same.
    victim.jar.set('wiki.localtest.me', new Map([[bindingCookieName('VVVVVVVVVVVVVVVVVVVVVV'), 'VVVVVVVVVVVVVVVVVVVVVV']]));
    assert.equal((await victim.get(`${s.wikiUrl}/.moatless/callback?code=${await mint(nonce)}`)).status, 400);
    // Nor does the attacker's nonce under another sign-in's cookie name help: the name must match too.
    victim.jar.set('wiki.localtest.me', new Map([[bindingCookieName('VVVVVVVVVVVVVVVVVVVVVV'), nonce]]));
    assert.equal((await victim.get(`${s.wikiUrl}/.moatless/callback?code=${await mint(nonce)}`)).status, 400);

    // The browser that holds the nonce gets its session.
    const owner = s.browser();
    owner.jar.set('wiki.localtest.me', new Map([[bindingCookieName(nonce), nonce]]));
    const ok = await owner.get(`${s.wikiUrl}/.moatless/callback?code=${await mint(nonce)}`);
    assert.equal(ok.status, 302);
    assert.ok(owner.cookie('wiki.localtest.me', 'moatless_session'));
    assert.equal(owner.cookie('wiki.localtest.me', bindingCookieName(nonce)), undefined, 'the binding cookie is spent');
  });

  test('two sign-ins of one app in flight in one browser (two tabs, or a favicon racing the page) both finish', async () => {
    const b = s.browser();
    // Both start before either comes back: each sets its own binding cookie.
    const starts = [];
    for (const path of ['/first', '/favicon.ico']) {
      const r = await b.get(`${s.wikiUrl}${path}`);
      assert.equal(r.status, 302);
      starts.push(new URL(String(r.headers.location)).searchParams.get('n') ?? '');
    }
    const identity = { userKey: 't:alice', email: 'alice@contoso.com', idp: 'entra', groups: ['a1000000-0000-4000-8000-000000000002'], groupNames: ['Staff'], amr: [], acrs: [], claims: {} };
    const g = await s.moatless.sessions.createGlobal({ identity, durationMs: 3_600_000, ip: null, userAgent: null });
    // The first one started comes back first; before, the second had overwritten its nonce.
    for (const [i, path] of ['/first', '/favicon.ico'].entries()) {
      const code = await s.moatless.server.auth.signins.putHandoff({ globalSessionId: g.record.id, appId: 'wiki', returnUrl: `${s.wikiUrl}${path}`, durationMs: 60_000, browserNonce: starts[i] ?? '' });
      const r = await b.get(`${s.wikiUrl}/.moatless/callback?code=${code}`);
      assert.equal(r.status, 302, `sign-in ${i + 1} (${path}) finishes`);
      assert.equal(String(r.headers.location), path);
    }
  });
});
