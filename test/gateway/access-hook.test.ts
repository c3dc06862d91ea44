// Gateway HTTP rules apply to Access apps too: after Access allows, the seed's isolate rule sends a
// high-risk user's page load on wiki to the viewer and blocks their API calls, a block rule blocks,
// and a low-risk user reaches the app as before.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { sessionFor, startStack, type Stack } from '../harness/stack.ts';

const RISKY = 'IdentityProtection-RiskyUser-RiskLevel-high';
let stack: Stack;

before(async () => {
  stack = await startStack({
    extra: {
      gateway: {
        listener: { address: '127.0.0.1:0' }, inspect: false,
        rules: [
          { name: 'Isolate risky users', action: 'isolate', when: { and: [{ domain: { in: ['wiki.localtest.me', 'payroll.localtest.me'] } }, { userGroupNames: { in: [RISKY] } }] } },
          { name: 'No wiki admin', action: 'block', when: { and: [{ host: { is: 'wiki.localtest.me' } }, { path: { matches: '^/admin' } }] } },
        ],
      },
    },
  });
});
after(() => stack.close());

function get(path: string, secret: string, accept: string): Promise<{ status: number; location?: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: stack.port, path, headers: { host: `wiki.localtest.me:${stack.port}`, cookie: `moatless_session=${secret}`, accept } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the seed rule on an Access app: a high-risk user\'s page load goes to the viewer, an API call is blocked', async () => {
  const bob = await sessionFor(stack, 'bob@contoso.com', 'wiki', { groups: ['Staff', RISKY] });
  const nav = await get('/page', bob, 'text/html');
  assert.equal(nav.status, 302);
  assert.equal(nav.location, `${stack.authUrl}/browser/http://wiki.localtest.me:${stack.port}/page`);
  assert.equal((await get('/api', bob, 'application/json')).status, 403);
  assert.equal(stack.wiki.seen.filter((s) => s.url === '/page' || s.url === '/api').length, 0);
});

test('a low-risk user reaches the app; a gateway block rule still blocks a path', async () => {
  const alice = await sessionFor(stack, 'alice@contoso.com', 'wiki');
  assert.equal((await get('/page', alice, 'text/html')).status, 200);
  const admin = await get('/admin/x', alice, 'text/html');
  assert.equal(admin.status, 403);
  assert.match(admin.body, /Blocked by your organisation/);
});

test('Gateway answers on Access apps are in the gateway log like proxied traffic', async () => {
  const gw = stack.moatless.gateway!;
  await gw.log.flush();
  const rows = await stack.moatless.store.gateway.log.query({ limit: 100 });
  const isolated = rows.find((r) => r.url.endsWith('/page') && r.action === 'isolate');
  assert.equal(isolated?.email, 'bob@contoso.com');
  assert.equal(isolated?.isolation, 'redirected');
  assert.equal(isolated?.policy, 'Isolate risky users');
  assert.deepEqual(isolated?.groups, [RISKY]);
  assert.ok(isolated?.reasons.some((x) => x.startsWith('access.app: wiki.localtest.me')));
  assert.equal(rows.find((r) => r.url.endsWith('/api') && r.email === 'bob@contoso.com')?.isolation, 'blocked');
  const blocked = rows.find((r) => r.url.endsWith('/admin/x'));
  assert.equal(blocked?.action, 'block');
  assert.equal(blocked?.status, 403);
  assert.equal(blocked?.policy, 'No wiki admin');
});
