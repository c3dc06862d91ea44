// The dashboard's HTTP surface on the auth host, without a browser: who gets the page, under which
// CSP and cache headers; the sign-in redirect for visitors; the refusal for non-admins.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../harness/stack.ts';
import { browserAs, globalSessionFor } from './helpers.ts';

describe('dashboard at /admin/', () => {
  let s: Stack;
  before(async () => {
    s = await startStack({ extra: { admin: { adminGroups: ['Finance'], auditorGroups: ['Auditors'] } } });
  });
  after(async () => {
    await s.close();
  });

  test('no session: a sign-in that comes back to the same dashboard address', async () => {
    const r = await s.browser().get(`${s.authUrl}/admin/logs?log=audit`);
    assert.equal(r.status, 302);
    const start = new URL(String(r.headers.location), s.authUrl);
    assert.equal(start.pathname, '/oauth2/start');
    assert.equal(start.searchParams.get('rd'), `${s.authUrl}/admin/logs?log=audit`);
    const idp = await s.browser().get(start.href);
    assert.equal(idp.status, 302, 'the auth host accepts its own /admin/ as a return address');
    assert.equal(new URL(String(idp.headers.location)).origin, s.emulator.url);
  });

  test('admins and auditors get the app under a strict CSP; the HTML is never cached', async () => {
    for (const groups of [['Finance'], ['Auditors']]) {
      const r = await browserAs(s, await globalSessionFor(s, 'alice@contoso.com', groups)).get(
        `${s.authUrl}/admin/users`,
      );
      assert.equal(r.status, 200, groups.join());
      const csp = String(r.headers['content-security-policy']);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(r.headers['cache-control'], 'no-store');
      assert.doesNotMatch(r.body, /<script>|<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
      assert.match(r.body, /<script type="module" crossorigin src="\/admin\/assets\/index-[\w-]+\.js">/);
    }
  });

  test('hashed assets are cached for a year; unknown ones are 404; other methods 405', async () => {
    const b = browserAs(s, await globalSessionFor(s, 'alice@contoso.com', ['Finance']));
    const html = (await b.get(`${s.authUrl}/admin/`)).body;
    const js = /src="(\/admin\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const r = await s.browser().get(`${s.authUrl}${js}`);
    assert.equal(r.status, 200);
    assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.match(String(r.headers['content-type']), /^text\/javascript/);
    assert.equal((await s.browser().get(`${s.authUrl}/admin/assets/nope.js`)).status, 404);
    assert.equal((await s.browser().get(`${s.authUrl}/admin/assets/../../package.json`)).status, 404);
    assert.equal((await b.get(`${s.authUrl}/admin/`, { method: 'POST', body: '' })).status, 405);
    const bare = await b.get(`${s.authUrl}/admin`);
    assert.equal(bare.status, 302);
    assert.equal(bare.headers.location, '/admin/');
  });

  test('a signed-in non-admin gets a 403 page that links to the app launcher', async () => {
    const r = await browserAs(s, await globalSessionFor(s, 'bob@contoso.com', ['Staff'])).get(`${s.authUrl}/admin/`);
    assert.equal(r.status, 403);
    assert.match(r.body, /bob@contoso\.com/);
    assert.match(r.body, /<a class="btn" href="\/">Open your apps<\/a>/);
    assert.doesNotMatch(r.body, /Finance/, 'the admin groups are not revealed');
    assert.doesNotMatch(String(r.headers['content-security-policy']), /script-src/);
  });
});
