// SCIM on PostgreSQL through the real server: concurrent member PATCHes to one group (Entra runs
// several workers; replicas race) all succeed and lose no member; deprovisioning still revokes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { directoryWiring } from '../../src/cli/directory-wiring.ts';
import { createScimToken } from '../../src/directory/scim-tokens.ts';
import { freshSchema } from '../harness/postgres.ts';
import { sessionFor, startStack, type Stack } from '../harness/stack.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
let s: Stack;
let pgSchema: Awaited<ReturnType<typeof freshSchema>>;
let scim: (method: string, path: string, body?: unknown) => Promise<{ status: number; json: Record<string, unknown> }>;

before(async () => {
  pgSchema = await freshSchema();
  s = await startStack({ compose: directoryWiring(), storage: { kind: 'postgres', url: pgSchema.url, schema: pgSchema.schema } });
  const { token } = await createScimToken(s.moatless.store, { name: 'entra', directoryName: 'contoso', now: Date.now() });
  scim = async (method, path, body) => {
    const r = await s.browser().get(`${s.authUrl}/scim/v2${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: r.status, json: r.body ? JSON.parse(r.body) as Record<string, unknown> : {} };
  };
});
after(async () => {
  await s?.close();
  await pgSchema?.drop();
});

test('32 concurrent member PATCHes to one group on PostgreSQL: every one 204, no member lost', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 64; i++) {
    const r = await scim('POST', '/Users', { schemas: [USER], userName: `u${i}@contoso.com`, active: true });
    assert.equal(r.status, 201);
    ids.push(String(r.json['id']));
  }
  const g = await scim('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Everyone' });
  const gid = String(g.json['id']);
  const results = await Promise.all(Array.from({ length: 32 }, (_, i) => scim('PATCH', `/Groups/${gid}`, {
    schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ value: ids[2 * i] }, { value: ids[2 * i + 1] }] }],
  })));
  assert.deepEqual(results.map((r) => r.status), Array(32).fill(204));
  const members = await scim('GET', `/Groups/${gid}`);
  assert.equal((members.json['members'] as unknown[]).length, 64);
});

test('deprovisioning on PostgreSQL refuses the user on the next request', async () => {
  const u = await scim('POST', '/Users', { schemas: [USER], userName: 'leaver@contoso.com', active: true });
  const secret = await sessionFor(s, 'leaver@contoso.com', 'wiki');
  const b = s.browser();
  b.jar.set('wiki.localtest.me', new Map([['moatless_session', secret]]));
  assert.equal((await b.get(`${s.wikiUrl}/`)).status, 200);
  const off = await scim('PATCH', `/Users/${String(u.json['id'])}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] });
  assert.equal(off.status, 204);
  assert.notEqual((await b.get(`${s.wikiUrl}/`)).status, 200);
});
