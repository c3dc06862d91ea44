// Opening /gateway/devices without a session signs the user in on the auth host (Access's normal
// sign-in: /oauth2/start with the devices page as the return address) and comes back to the page —
// no app needs to be opened first. The return address is fixed, so nothing in the request can turn
// the page into an open redirect.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestBrowser as IdpBrowser } from '../../src/dev/entra/testing/browser.ts';
import { startStack, type Stack } from '../harness/stack.ts';

let stack: Stack;

before(async () => {
  stack = await startStack({ extra: { gateway: { listener: { address: '127.0.0.1:0' } } } });
});
after(() => stack.close());

test('without a session, the devices page starts the sign-in on the auth host and names only itself as the way back', async () => {
  const b = stack.browser();
  for (const path of ['/gateway/devices', '/gateway/devices?rd=https://evil.example/', '/gateway/devices?return=//evil.example']) {
    const r = await b.get(`${stack.authUrl}${path}`);
    assert.equal(r.status, 302, path);
    const to = new URL(String(r.headers.location), stack.authUrl);
    assert.equal(to.origin, stack.authUrl, 'the sign-in starts on the auth host');
    assert.equal(to.pathname, '/oauth2/start');
    assert.equal(to.searchParams.get('rd'), `${stack.authUrl}/gateway/devices`);
  }
  // Forms still need a session: a POST without one is refused, not redirected.
  const post = await b.get(`${stack.authUrl}/gateway/devices`, { method: 'POST', headers: { origin: stack.authUrl, 'content-type': 'application/x-www-form-urlencoded' }, body: 'label=x' });
  assert.equal(post.status, 401);
});

test('signing in from the devices page lands back on it, signed in', async () => {
  const b = stack.browser();
  const start = await b.get(`${stack.authUrl}/gateway/devices`);
  const toIdp = await b.get(new URL(String(start.headers.location), stack.authUrl).href);
  assert.equal(toIdp.status, 302, `the sign-in start answered ${toIdp.status}: ${toIdp.body.slice(0, 200)}`);
  const idp = new IdpBrowser(`${stack.authUrl}/oauth2/callback`);
  const form = await idp.open(String(toIdp.headers.location));
  const done = await idp.submit(form, '/login', { username: 'alice@contoso.com', password: 'alice' });
  assert.equal(done.kind, 'callback');
  const page = await b.follow(done.url.href);
  assert.equal(page.url.href, `${stack.authUrl}/gateway/devices`);
  assert.equal(page.status, 200);
  assert.match(page.body, /alice@contoso\.com/);
  assert.match(page.body, /name="csrf"/);
});
