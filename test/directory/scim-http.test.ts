// Scenario: Entra provisions a user over SCIM on the real server; deprovisioning ends the user's
// live session on the very next request, with no request let through in between.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, sessionFor, type Stack } from '../harness/stack.ts';
import { directoryWiring } from '../../src/cli/directory-wiring.ts';
import { createScimToken } from '../../src/directory/scim-tokens.ts';
import type { TestBrowser } from '../harness/http-client.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe('SCIM over HTTP on a running moatless serve', () => {
  let s: Stack;
  let token: string;
  let scim: (method: string, path: string, body?: unknown) => Promise<{ status: number; json: Record<string, unknown>; headers: Record<string, unknown> }>;
  before(async () => {
    s = await startStack({ compose: directoryWiring() });
    token = (await createScimToken(s.moatless.store, { name: 'entra', directoryName: 'entra', now: Date.now() })).token;
    const b = s.browser();
    scim = async (method, path, body) => {
      const r = await b.get(`${s.authUrl}/scim/v2${path}`, {
        method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: r.status, headers: r.headers, json: r.body ? JSON.parse(r.body) as Record<string, unknown> : {} };
    };
  });
  after(async () => { await s.close(); });

  const wikiAs = (secret: string): TestBrowser => {
    const b = s.browser();
    b.jar.set('wiki.localtest.me', new Map([['moatless_session', secret]]));
    return b;
  };

  test('Test Connection, then Entra creates a user and finds it by userName', async () => {
    const probe = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "6f1e8a55-3d4c-4b7f-9e1a-2c3d4e5f6a7b"')}`);
    assert.equal(probe.status, 200);
    assert.equal(probe.json['totalResults'], 0);
    const created = await scim('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], externalId: 'oid-alice', userName: 'alice@contoso.com', active: true,
      emails: [{ primary: true, type: 'work', value: 'alice@contoso.com' }],
    });
    assert.equal(created.status, 201);
    assert.match(String(created.headers['content-type']), /^application\/scim\+json/);
    const found = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "alice@contoso.com"')}`);
    assert.equal(found.json['totalResults'], 1);
  });

  test('a request without the token is 401 with a SCIM error body', async () => {
    const r = await s.browser().get(`${s.authUrl}/scim/v2/Users`);
    assert.equal(r.status, 401);
    assert.equal((JSON.parse(r.body) as { status: string }).status, '401');
  });

  test('a provisioned user\'s session is refused on the very next request after the deprovisioning PATCH', async () => {
    const created = await scim('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'leaver@contoso.com', active: true,
      emails: [{ primary: true, type: 'work', value: 'leaver@contoso.com' }],
    });
    const id = String(created.json['id']);
    const secret = await sessionFor(s, 'leaver@contoso.com', 'wiki');
    const b = wikiAs(secret);
    assert.equal((await b.get(`${s.wikiUrl}/before`)).status, 200, 'signed in and allowed before');

    // Keep requests flowing while Entra disables the user; after its response, none may pass.
    let stop = false;
    let letThroughAfter = 0;
    let responded = false;
    const hammer = (async () => {
      while (!stop) {
        const sentAfterResponse = responded;
        // Revocation also closes the user's open connections, so an in-flight request may be cut.
        const status = await b.get(`${s.wikiUrl}/during`).then((r) => r.status, () => 0);
        if (sentAfterResponse && status === 200) letThroughAfter++;
      }
    })();
    const off = await scim('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    responded = true;
    assert.equal(off.status, 204);
    const next = await b.get(`${s.wikiUrl}/after`);
    assert.notEqual(next.status, 200, 'the very next request is refused');
    for (let i = 0; i < 10; i++) assert.notEqual((await b.get(`${s.wikiUrl}/after-${i}`)).status, 200);
    stop = true;
    await hammer;
    assert.equal(letThroughAfter, 0, 'no request sent after the response was let through');

    // The log is written in batches a few hundred milliseconds apart.
    const logged = async () => (await s.moatless.store.directory.provisioningLog.query({ limit: 20 })).some((e) => e.operation === 'patch user' && e.resourceId === id && e.status === 204);
    for (let i = 0; i < 40 && !(await logged()); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(await logged());
  });

  test('a deactivated user who signs in again is still refused by the live directory facts', async () => {
    const secret = await sessionFor(s, 'leaver@contoso.com', 'wiki');
    assert.notEqual((await wikiAs(secret).get(`${s.wikiUrl}/again`)).status, 200);
  });
});
