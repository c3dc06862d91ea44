// PUT /api/v1/apps/{id}/policy-order: an API app's policies reordered in one write — every policy
// once, each with the ETag it was read with (a change made meanwhile is 412 and nothing moves). The
// new order decides at once (the policy tester's answer changes) and the move is audited.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAdminToken } from '../../src/admin/index.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { call } from './helpers.ts';

let s: Stack;
let api: string;
let write: Record<string, string>;

before(async () => {
  s = await startStack({});
  api = `${s.authUrl}/api/v1`;
  write = { authorization: `Bearer ${(await createAdminToken(s.moatless.store, { name: 'ci', scope: 'write', expiresInMs: 86_400_000, now: Date.now() })).token}` };
  assert.equal((await call(s.browser(), `${api}/apps`, { method: 'POST', headers: write, body: { id: 'crm', hosts: ['crm.localtest.me'], upstream: 'http://127.0.0.1:9' } })).status, 201);
  for (const body of [
    { app: 'crm', name: 'staff', action: 'allow', include: [{ group: 'Staff' }] },
    { app: 'crm', name: 'no contractors', action: 'block', include: [{ group: 'Contractors' }] },
  ]) assert.equal((await call(s.browser(), `${api}/policies`, { method: 'POST', headers: write, body })).status, 201);
});
after(async () => { await s?.close(); });

const policies = async () => ((await call(s.browser(), `${api}/apps/crm`, { headers: write })).json['policies'] as { id: string; name: string; etag: string }[]);
const decision = async () => {
  const r = await call(s.browser(), `${api}/policy-test`, { method: 'POST', headers: write, body: { url: 'http://crm.localtest.me/', user: 'bob@contoso.com', groups: ['Staff', 'Contractors'] } });
  return (r.json['decision'] as { action: string }).action;
};
const reorder = (body: unknown) => call(s.browser(), `${api}/apps/crm/policy-order`, { method: 'PUT', headers: write, body });

test('the new order decides at once and is audited', async () => {
  assert.equal(await decision(), 'allow', 'staff comes first');
  const [staff, block] = await policies();
  const r = await reorder({ policies: [{ id: block!.id, etag: block!.etag }, { id: staff!.id, etag: staff!.etag }] });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.deepEqual((await policies()).map((p) => p.name), ['no contractors', 'staff']);
  assert.equal(await decision(), 'block');
  const audit = await s.moatless.store.admin.audit.query({ limit: 5 });
  const entry = audit.find((e) => e.action === 'policy.reorder');
  assert.deepEqual([entry?.target, entry?.before, entry?.after], ['app:crm', { policies: [staff!.id, block!.id] }, { policies: [block!.id, staff!.id] }]);
});

test('a stale ETag is 412 and nothing moves; every policy must be listed once', async () => {
  const [first, second] = await policies();
  assert.equal((await call(s.browser(), `${api}/policies/${second!.id}`, { method: 'PATCH', headers: { ...write, 'if-match': second!.etag }, body: { name: 'staff!' } })).status, 200);
  const stale = await reorder({ policies: [{ id: second!.id, etag: second!.etag }, { id: first!.id, etag: first!.etag }] });
  assert.equal(stale.status, 412);
  assert.deepEqual((await policies()).map((p) => p.id), [first!.id, second!.id]);

  const fresh = await policies();
  for (const list of [[fresh[0]!], [fresh[0]!, fresh[0]!], [fresh[0]!, { id: 'p-nope', etag: '"v1"' }]]) {
    const r = await reorder({ policies: list.map((p) => ({ id: p.id, etag: p.etag })) });
    assert.equal(r.status, 400, JSON.stringify(list));
    assert.equal((r.json['details'] as { path: string }[])[0]!.path, 'body.policies');
  }
  const file = await call(s.browser(), `${api}/apps/wiki/policy-order`, { method: 'PUT', headers: write, body: { policies: [] } });
  assert.equal(file.status, 409, 'moatless.yaml\'s apps keep the file\'s order');
});
