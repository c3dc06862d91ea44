// Admin API: tunnels with their connectors and health, and live isolation sessions — listed from
// the store every server shares, and ended through the change feed (audited; write scope only).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAdminToken } from '../../src/admin/index.ts';
import { END_TOPIC, REGISTRY_NS } from '../../src/isolation/index.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { call } from './helpers.ts';

const DAY = 86_400_000;
let s: Stack;
let api: string;
let write: Record<string, string>;
let read: Record<string, string>;

before(async () => {
  s = await startStack({
    apps: (wiki) => [
      { id: 'wiki', hosts: ['wiki.localtest.me'], upstream: wiki, policies: [{ name: 'all', action: 'allow', include: [{ everyone: true }] }] },
      { id: 'priv', hosts: ['priv.localtest.me'], upstream: 'tunnel:office', policies: [{ name: 'all', action: 'allow', include: [{ everyone: true }] }] },
    ],
  });
  api = `${s.authUrl}/api/v1`;
  const now = Date.now();
  write = { authorization: `Bearer ${(await createAdminToken(s.moatless.store, { name: 'ops', scope: 'write', expiresInMs: DAY, now })).token}` };
  read = { authorization: `Bearer ${(await createAdminToken(s.moatless.store, { name: 'ro', scope: 'read', expiresInMs: DAY, now })).token}` };
});
after(async () => { await s?.close(); });

test('GET /tunnels: a tunnel an app names but no connector serves is down; one with its connections is healthy', async () => {
  const now = Date.now();
  for (const id of ['c1', 'c2']) {
    await s.moatless.store.tunnels.connections.put({
      id, tunnel: 'lab', tokenId: 't', connectorId: 'conn-a', version: '0.1.0', hostname: 'vm1', address: '10.0.0.9',
      edge: 'edge:1', wanted: 2, connectedAt: now - 5_000, lastSeenAt: now,
    });
  }
  const r = await call(s.browser(), `${api}/tunnels`, { headers: read });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const items = r.json['items'] as { tunnel: string; health: string; connectors: { hostname: string; connections: number }[] }[];
  assert.deepEqual(items.map((t) => [t.tunnel, t.health]), [['lab', 'healthy'], ['office', 'down']]);
  assert.equal(items[0]!.connectors[0]!.connections, 2);
});

test('isolation sessions: listed from the registry; ending one is audited, published, and needs the write scope', async () => {
  const now = Date.now();
  const row = { id: 'iso-1', user: 'bob@contoso.com', startedAt: now - 60_000, lastInputAt: now, state: 'running', url: 'https://wiki.localtest.me/', tabs: 1, viewer: true, pid: 123, host: 'h1', policy: 'Isolate risky users' };
  await s.moatless.store.kv.set(REGISTRY_NS, row.id, JSON.stringify(row), now + 60_000);
  const list = await call(s.browser(), `${api}/isolation/sessions`, { headers: read });
  assert.equal(list.status, 200, JSON.stringify(list.json));
  assert.deepEqual((list.json['items'] as { id: string; user: string; policy: string }[]).map((x) => [x.id, x.user, x.policy]), [['iso-1', 'bob@contoso.com', 'Isolate risky users']]);

  assert.equal((await call(s.browser(), `${api}/isolation/sessions/end`, { method: 'POST', headers: read, body: { id: 'iso-1' } })).status, 403, 'read scope cannot end');
  assert.equal((await call(s.browser(), `${api}/isolation/sessions/end`, { method: 'POST', headers: write, body: { id: 'nope' } })).status, 404);
  const heard = new Promise<unknown>((resolve) => { const off = s.moatless.store.changes.subscribe(END_TOPIC, (p) => { off(); resolve(p); }); });
  const ended = await call(s.browser(), `${api}/isolation/sessions/end`, { method: 'POST', headers: write, body: { id: 'iso-1' } });
  assert.equal(ended.status, 200, JSON.stringify(ended.json));
  assert.deepEqual(await heard, { id: 'iso-1' });
  const audit = await s.moatless.store.admin.audit.query({ limit: 5 });
  assert.ok(audit.some((e) => e.action === 'isolation.end' && e.target === 'isolation:iso-1'), JSON.stringify(audit));
});
