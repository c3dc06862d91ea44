// What the origin is told on a `service_auth` decision: the service token's assertion, never the
// identity of a user whose session cookie happened to come along — no user policy was checked, so a
// deprovisioned or out-of-policy user must not be vouched for through a token.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { defaultApps, sessionFor, startStack, type Stack } from '../harness/stack.ts';

let s: Stack;
before(async () => {
  s = await startStack({
    extra: { serviceTokens: [{ name: 'ci', clientId: 'ci-client-0001', clientSecret: 's3cret-s3cret' }] },
    apps: (wiki, payroll) => [...defaultApps(wiki, payroll), {
      id: 'api', hosts: ['api.localtest.me'], upstream: wiki, identityHeaders: { email: 'x-remote-user' },
      policies: [{ name: 'ci', action: 'service_auth', include: [{ serviceToken: 'ci' }] }],
    }],
  });
});
after(async () => { await s.close(); });

test('a service token with a user session along: the origin gets the token\'s assertion and no user identity', async () => {
  const secret = await sessionFor(s, 'zed@contoso.com', 'api', { groups: ['Visitors'] });
  const r = await s.browser().get(`http://api.localtest.me:${s.port}/deploy`, {
    headers: {
      cookie: `moatless_session=${secret}`,
      'moatless-access-client-id': 'ci-client-0001', 'moatless-access-client-secret': 's3cret-s3cret',
    },
  });
  assert.equal(r.status, 200);
  const seen = s.wiki.seen.at(-1)!;
  assert.equal(seen.url, '/deploy');
  assert.equal(seen.headers['x-remote-user'], undefined, 'no user identity header');
  const claims = decodeJwt(String(seen.headers['moatless-jwt-assertion']));
  assert.equal(claims.email, '');
  assert.deepEqual(claims.custom, { common_name: 'ci' });
});
