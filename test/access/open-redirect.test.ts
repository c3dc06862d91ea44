// The post-login return URL is only ever a protected host of ours: every other target is refused
// on the auth host before any sign-in starts (no open redirect).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
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
  ];
  test('foreign, malformed and non-app return URLs get a 400 page, never a redirect', async () => {
    for (const rd of bad(s.port)) {
      const r = await s.browser().get(`${s.authUrl}/oauth2/start?rd=${encodeURIComponent(rd)}`);
      assert.equal(r.status, 400, `rd=${rd}`);
      assert.equal(r.headers.location, undefined, `rd=${rd}`);
    }
  });

  test('a protected app URL starts the sign-in at the identity provider', async () => {
    const r = await s.browser().get(`${s.authUrl}/oauth2/start?rd=${encodeURIComponent(`${s.wikiUrl}/page?q=1`)}`);
    assert.equal(r.status, 302);
    const idp = new URL(String(r.headers.location));
    assert.equal(idp.origin, s.emulator.url);
    assert.equal(idp.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(idp.searchParams.get('state') && idp.searchParams.get('nonce'));
    assert.equal(idp.searchParams.get('claims'), null, 'the wiki needs no auth context, so no Conditional Access prompt is asked for');
  });

  test('a callback with a state this browser did not start is refused', async () => {
    const r = await s.browser().get(`${s.authUrl}/oauth2/callback?code=x&state=made-up`);
    assert.equal(r.status, 400);
    assert.match(r.body, /Sign-in expired/);
  });
});
