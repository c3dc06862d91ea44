// The sign-in callback never leaves the IdP's authorization code in the address bar: success and
// failure alike answer 303, and failures land on /signin-failed on the auth host with a short reason
// code and nothing reflected from the request. Deny and sign-in failed pages link server.support.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../harness/ports.ts';
import { sessionFor, signInAtIdp, startStack, type Stack } from '../harness/stack.ts';
import type { TestBrowser } from '../harness/http-client.ts';
import { TestBrowser as IdpBrowser } from '../../src/dev/entra/testing/browser.ts';

const SUPPORT = { contact: 'helpdesk@contoso.com', url: 'https://help.contoso.com/access' };

describe('sign-in callback and failure pages', () => {
  let s: Stack;
  before(async () => {
    const port = await freePort();
    s = await startStack({ port, extra: { server: {
      listeners: [{ address: `127.0.0.1:${port}` }], authUrl: `http://auth.localtest.me:${port}`, shutdownGrace: '2s', support: SUPPORT,
    } } });
  });
  after(async () => { await s.close(); });

  const signInAt = async (b: TestBrowser, user: string): Promise<URL> => (await signInAtIdp(s, b, user)).callback;

  test('a callback with a state this browser did not start is a 303 to a failure page without the code', async () => {
    const b = s.browser();
    const r = await b.get(`${s.authUrl}/oauth2/callback?code=SECRET-CODE&state=bad`);
    assert.equal(r.status, 303);
    const loc = new URL(String(r.headers.location), s.authUrl);
    assert.equal(loc.origin, s.authUrl);
    assert.equal(loc.pathname, '/signin-failed');
    assert.ok(!loc.href.includes('code=') && !loc.href.includes('SECRET-CODE') && !loc.href.includes('state='), loc.href);
    assert.equal(loc.searchParams.get('reason'), 'expired');
    const page = await b.get(loc.href);
    assert.equal(page.status, 400);
    assert.match(page.body, /Sign-in expired/);
    assert.ok(page.body.includes(`<code>${String(r.headers['moatless-request-id'])}</code>`), 'quotes the callback\'s request id');
    assert.match(page.body, /href="mailto:helpdesk@contoso\.com\?subject=/);
    assert.match(page.body, /href="https:\/\/help\.contoso\.com\/access"/);
  });

  test('an IdP refusal is a 303 to reason=refused; the IdP\'s free text is not reflected', async () => {
    const b = s.browser();
    const toStart = await b.get(`${s.wikiUrl}/`);
    const toIdp = new URL(String((await b.get(String(toStart.headers.location))).headers.location));
    const state = toIdp.searchParams.get('state')!;
    const r = await b.get(`${s.authUrl}/oauth2/callback?error=access_denied&error_description=${encodeURIComponent('<b>AADSTS53000</b>')}&state=${state}`);
    assert.equal(r.status, 303);
    const loc = new URL(String(r.headers.location), s.authUrl);
    assert.equal(`${loc.pathname}?reason=${loc.searchParams.get('reason')}`, '/signin-failed?reason=refused');
    assert.ok(!loc.href.includes('AADSTS'), loc.href);
    const page = await b.get(loc.href);
    assert.match(page.body, /Sign-in failed/);
    assert.match(page.body, /compliant device/);
  });

  test('two sign-ins at the IdP in flight in one browser (two tabs) both finish, each on its own page', async () => {
    const b = s.browser();
    const toIdp: URL[] = [];
    for (const path of ['/tab-one', '/tab-two']) {
      const toStart = await b.get(`${s.wikiUrl}${path}`);
      toIdp.push(new URL(String((await b.get(String(toStart.headers.location))).headers.location)));
    }
    const callbacks: URL[] = [];
    for (const u of toIdp) {
      const idp = new IdpBrowser(`${s.authUrl}/oauth2/callback`);
      const done = await idp.submit(await idp.open(u.href), '/login', { username: 'alice@contoso.com', password: 'alice' });
      assert.equal(done.kind, 'callback');
      callbacks.push(done.url);
    }
    // The tab that started first finishes first: with one shared cookie, the second start had
    // replaced its state and it failed as expired.
    for (const [i, path] of ['/tab-one', '/tab-two'].entries()) {
      const r = await b.follow(callbacks[i]!.href);
      assert.equal(r.status, 200, `tab ${i + 1}: ${r.chain.join(' → ')}`);
      assert.equal(r.url.pathname, path);
    }
  });

  test('a reason or request id that is not on the list shows the generic page, reflecting nothing', async () => {
    const page = await s.browser().get(`${s.authUrl}/signin-failed?reason=%3Cscript%3E&rid=%3Cscript%3Ealert(1)`);
    assert.match(page.body, /The sign-in could not be completed/);
    assert.doesNotMatch(page.body, /<script/);
  });

  test('a successful callback answers 303 to the app', async () => {
    const b = s.browser();
    const callback = await signInAt(b, 'alice@contoso.com');
    const r = await b.get(callback.href);
    assert.equal(r.status, 303);
    const loc = new URL(String(r.headers.location));
    assert.equal(`${loc.origin}${loc.pathname}`, `${s.wikiUrl}/.moatless/callback`);
  });

  test('a user the policy refuses after signing in gets a 303 to reason=access_denied, not a page at the callback URL', async () => {
    const b = s.browser();
    const callback = await signInAt(b, 'erin@contoso.com');
    const r = await b.get(callback.href);
    assert.equal(r.status, 303);
    const loc = new URL(String(r.headers.location), s.authUrl);
    assert.equal(`${loc.origin}${loc.pathname}?reason=${loc.searchParams.get('reason')}`, `${s.authUrl}/signin-failed?reason=access_denied`);
    assert.ok(!loc.href.includes('code='));
    const page = await b.get(loc.href);
    assert.equal(page.status, 403);
    assert.match(page.body, /Access denied/);
  });

  test('the deny page of an app links the support contact', async () => {
    const b = s.browser();
    b.jar.set('wiki.localtest.me', new Map([['moatless_session', await sessionFor(s, 'erin@contoso.com', 'wiki', { groups: ['Sales'] })]]));
    const r = await b.get(`${s.wikiUrl}/`);
    assert.equal(r.status, 403);
    assert.match(r.body, /Access denied/);
    assert.match(r.body, /href="mailto:helpdesk@contoso\.com\?subject=Moatless%20request%20/);
    assert.match(r.body, /href="https:\/\/help\.contoso\.com\/access"/);
  });

  test('the unknown-application and unreachable-application pages link the support contact too', async () => {
    const b = s.browser();
    const unknown = await b.get(`http://nowhere.localtest.me:${s.port}/`, { headers: { host: `nowhere.localtest.me:${s.port}` } });
    assert.equal(unknown.status, 404);
    assert.match(unknown.body, /href="https:\/\/help\.contoso\.com\/access"/);
    await s.wiki.close();
    b.jar.set('wiki.localtest.me', new Map([['moatless_session', await sessionFor(s, 'alice@contoso.com', 'wiki')]]));
    const down = await b.get(`${s.wikiUrl}/`);
    assert.equal(down.status, 502);
    assert.match(down.body, /href="mailto:helpdesk@contoso\.com/);
  });
});
