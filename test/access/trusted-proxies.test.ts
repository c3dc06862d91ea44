// X-Forwarded-For, X-Forwarded-Proto and the country header are believed only from trusted proxies:
// the client IP that policies see and the chain the origin receives follow from that.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, sessionFor, type Stack } from '../harness/stack.ts';

const apps = (wiki: string, payroll: string) => [
  { id: 'wiki', hosts: ['wiki.localtest.me'], upstream: wiki, policies: [{ name: 'office', action: 'allow', include: [{ emailDomain: 'contoso.com' }], require: [{ ipRange: '203.0.113.0/24' }] }] },
  { id: 'payroll', hosts: ['payroll.localtest.me'], upstream: payroll, policies: [{ name: 'pt-only', action: 'allow', include: [{ emailDomain: 'contoso.com' }], require: [{ country: 'PT' }] }] },
];

describe('behind a trusted proxy', () => {
  let s: Stack;
  before(async () => {
    s = await startStack({ apps, trusted: ['10.0.0.0/8'] }); // a country rule needs a trusted proxy; this peer is not one
  });
  after(async () => { await s.close(); });

  test('from an untrusted peer, X-Forwarded-For and the country header are ignored', async () => {
    const secret = await sessionFor(s, 'alice@contoso.com', 'wiki');
    const b = s.browser();
    b.jar.set('wiki.localtest.me', new Map([['moatless_session', secret]]));
    const r = await b.get(`${s.wikiUrl}/`, { headers: { 'x-forwarded-for': '203.0.113.7', 'cf-ipcountry': 'PT', 'x-forwarded-proto': 'https' } });
    assert.equal(r.status, 403, 'the office range does not match 127.0.0.1, whatever the header says');
    b.jar.set('payroll.localtest.me', new Map([['moatless_session', await sessionFor(s, 'alice@contoso.com', 'payroll')]]));
    assert.equal((await b.get(`${s.payrollUrl}/`, { headers: { 'cf-ipcountry': 'PT' } })).status, 403, 'a country header from an untrusted peer is no fact');
  });
});

describe('with 127.0.0.1 trusted', () => {
  let s: Stack;
  before(async () => {
    s = await startStack({ apps, trusted: ['127.0.0.1/32'] });
  });
  after(async () => { await s.close(); });

  test('the client address comes from the chain, the origin gets the chain extended with the proxy', async () => {
    const secret = await sessionFor(s, 'alice@contoso.com', 'wiki');
    const b = s.browser();
    // The proxy terminated TLS (X-Forwarded-Proto: https), so the session cookie is the __Host- one.
    b.jar.set('wiki.localtest.me', new Map([['__Host-moatless_session', secret]]));
    const r = await b.get(`${s.wikiUrl}/`, { headers: { 'x-forwarded-for': '198.51.100.9, 203.0.113.7', 'x-forwarded-proto': 'https' } });
    assert.equal(r.status, 200, 'the client (203.0.113.7, the first untrusted hop from the right) is in the office range');
    const seen = s.wiki.seen.at(-1)!;
    assert.equal(seen.headers['x-forwarded-for'], '198.51.100.9, 203.0.113.7, 127.0.0.1');
    assert.equal(seen.headers['x-forwarded-proto'], 'https');
  });

  test('the country header from a trusted proxy is a policy fact, checked on every request', async () => {
    const b = s.browser();
    b.jar.set('payroll.localtest.me', new Map([['moatless_session', await sessionFor(s, 'alice@contoso.com', 'payroll')]]));
    assert.equal((await b.get(`${s.payrollUrl}/`, { headers: { 'cf-ipcountry': 'PT' } })).status, 200);
    assert.equal((await b.get(`${s.payrollUrl}/`, { headers: { 'cf-ipcountry': 'DE' } })).status, 403, 'same session, another country: refused');
  });
});
