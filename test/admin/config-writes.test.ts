// Scenario (issue 18, "config stays the source of truth where it is one"): two `moatless serve`
// replicas share PostgreSQL. An admin creates an app and its policy through the admin API on one;
// the other serves them at once (change feed). moatless.yaml's own objects are read-only; bodies
// are judged by the config's schema and policy compiler with field paths; If-Match is required and
// a stale one is 412; an app that would stand in front of the auth host is refused; every change is
// in the audit log with before and after; `moatless config check` and `policy test` see the API's
// objects too.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { createAdminToken } from '../../src/admin/index.ts';
import { CONFIG_OBJECTS_TOPIC } from '../../src/admin/config-objects/layers.ts';
import { startMoatless, type MoatlessProcess } from '../../src/cli/compose.ts';
import { loadConfigObject } from '../../src/config/load.ts';
import { freePort } from '../harness/ports.ts';
import { freshSchema } from '../harness/postgres.ts';
import { runMoatless } from '../harness/processes.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { TestBrowser } from '../harness/http-client.ts';
import { browserAs, call, globalSessionFor } from './helpers.ts';

const DAY = 86_400_000;
const CRM = { id: 'crm', name: 'CRM', hosts: ['crm.localtest.me'], upstream: 'http://127.0.0.1:9' };

describe('config writes through the admin API', () => {
  let pgSchema: Awaited<ReturnType<typeof freshSchema>>;
  let s: Stack;
  let replica: MoatlessProcess;
  let replicaPort: number;
  let api: string;
  let token: Record<string, string>;
  let dir: string;

  before(async () => {
    pgSchema = await freshSchema();
    s = await startStack({ storage: { kind: 'postgres', url: pgSchema.url, schema: pgSchema.schema }, extra: { admin: { adminGroups: ['Moatless Admins'] } } });
    api = `${s.authUrl}/api/v1`;
    token = { authorization: `Bearer ${(await createAdminToken(s.moatless.store, { name: 'ci', scope: 'write', expiresInMs: DAY, now: Date.now() })).token}` };
    // A second replica: the same file on another port, sharing the schema.
    replicaPort = await freePort();
    const raw = s.config.fileObject as Record<string, Record<string, unknown>>;
    const second = loadConfigObject({ ...raw, server: { ...raw.server, listeners: [{ address: `127.0.0.1:${replicaPort}` }] } }, { env: {} });
    assert.ok(second.ok);
    replica = await startMoatless(second.config, { logger: pino({ level: 'silent' }), pollGraph: false });
    dir = mkdtempSync(join(tmpdir(), 'moatless-config-writes-'));
  });
  after(async () => {
    await replica?.close();
    await s?.close();
    await pgSchema?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const onReplica = () => new TestBrowser(new Map([[`crm.localtest.me:${replicaPort}`, replicaPort]]));

  test('an app created on one replica is served by the other at once; its policy decides', async () => {
    assert.equal((await onReplica().get(`http://crm.localtest.me:${replicaPort}/`)).status, 404, 'no app there yet');
    const created = await call(s.browser(), `${api}/apps`, { method: 'POST', body: CRM, headers: token });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.equal(created.headers['etag'], '"v1"');
    const policy = await call(s.browser(), `${api}/policies`, {
      method: 'POST', headers: token, body: { app: 'crm', name: 'staff', action: 'allow', include: [{ group: 'Staff' }] },
    });
    assert.equal(policy.status, 201, JSON.stringify(policy.json));
    // The replica learns through the change feed (NOTIFY): an unauthenticated visitor is sent to sign in.
    let status = 0;
    for (let i = 0; i < 40 && status !== 302; i++) {
      status = (await onReplica().get(`http://crm.localtest.me:${replicaPort}/`)).status;
      if (status !== 302) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status, 302, 'the replica serves the new app within 2 s');

    const apps = (await call(s.browser(), `${api}/apps`, { headers: token })).json['items'] as { id: string; source: string; policies: { id: string; source: string }[] }[];
    assert.deepEqual(apps.map((a) => `${a.id}:${a.source}`), ['wiki:config', 'payroll:config', 'crm:api']);
    assert.equal(apps[2]!.policies[0]!.id, policy.json['id']);

    const tested = await call(s.browser(), `${api}/policy-test`, { method: 'POST', headers: token, body: { url: 'http://crm.localtest.me/', user: 'bob@contoso.com', groups: ['Staff'] } });
    assert.equal((tested.json['decision'] as { action: string }).action, 'allow', JSON.stringify(tested.json));
  });

  test('two admins on two replicas claiming the same host at once: one wins, the other is told why', async () => {
    const onB = new TestBrowser(new Map([[`auth.localtest.me:${replicaPort}`, replicaPort]]));
    const urlB = `http://auth.localtest.me:${replicaPort}/api/v1/apps`;
    for (let round = 0; round < 3; round++) {
      const host = `race${round}.localtest.me`;
      const [a, b] = await Promise.all([
        call(s.browser(), `${api}/apps`, { method: 'POST', headers: token, body: { ...CRM, id: `race${round}a`, hosts: [host] } }),
        call(onB, urlB, { method: 'POST', headers: token, body: { ...CRM, id: `race${round}b`, hosts: [host] } }),
      ]);
      assert.deepEqual([a.status, b.status].sort(), [201, 400], `round ${round}: ${JSON.stringify([a.json, b.json])}`);
      assert.match(JSON.stringify((a.status === 400 ? a : b).json['details']), /already routed to app/);
      const winner = a.status === 201 ? a : b;
      await call(s.browser(), `${api}/apps/${String(winner.json['id'])}`, { method: 'DELETE', headers: { ...token, 'if-match': '"v1"' } });
    }
  });

  test('objects from moatless.yaml are read-only: 409 naming the file', async () => {
    const cur = await call(s.browser(), `${api}/apps/wiki`, { headers: token });
    assert.equal(cur.headers['etag'], undefined, 'config objects have no ETag');
    for (const [method, path, body] of [['PUT', '/apps/wiki', { id: 'wiki' }], ['DELETE', '/apps/wiki', undefined], ['POST', '/apps', { ...CRM, id: 'wiki', hosts: ['w2.localtest.me'] }],
      ['POST', '/policies', { app: 'wiki', name: 'x', action: 'allow', include: [{ everyone: true }] }], ['DELETE', '/policies/yaml.wiki.0', undefined]] as const) {
      const r = await call(s.browser(), `${api}${path}`, { method, headers: { ...token, 'if-match': '"v1"' }, ...(body ? { body } : {}) });
      assert.equal(r.status, 409, `${method} ${path}`);
      assert.equal(r.json['code'], 'read_only');
      assert.match(String(r.json['message']), /moatless\.yaml|defined in/, `${method} ${path}`);
    }
  });

  test('bodies are judged by the config schema and the policy compiler, with field paths', async () => {
    const badApp = await call(s.browser(), `${api}/apps`, { method: 'POST', headers: token, body: { id: 'bad', hosts: ['not a host'], upstream: 'http://127.0.0.1:9' } });
    assert.equal(badApp.status, 400);
    assert.deepEqual((badApp.json['details'] as { path: string }[]).map((d) => d.path), ['body.hosts[0]']);
    const taken = await call(s.browser(), `${api}/apps`, { method: 'POST', headers: token, body: { id: 'copy', hosts: ['wiki.localtest.me'], upstream: 'http://127.0.0.1:9' } });
    assert.equal(taken.status, 400);
    assert.match(JSON.stringify(taken.json['details']), /body\.hosts\[0\].*already routed to app \\"wiki\\"/);
    const badPolicy = await call(s.browser(), `${api}/policies`, { method: 'POST', headers: token, body: { app: 'crm', name: 'x', action: 'allow', include: [{ ruleGroup: 'nope' }] } });
    assert.equal(badPolicy.status, 400);
    assert.match(JSON.stringify(badPolicy.json['details']), /"path":"body\.include\[0\]\.ruleGroup","message":"unknown rule group/);
    const withPolicies = await call(s.browser(), `${api}/apps`, { method: 'POST', headers: token, body: { ...CRM, id: 'x2', hosts: ['x2.localtest.me'], policies: [] } });
    assert.equal(withPolicies.status, 400);
    assert.equal((withPolicies.json['details'] as { path: string }[])[0]!.path, 'body.policies');
  });

  test('If-Match: required (428), stale (412 with the current ETag), current (200, next ETag)', async () => {
    const body = { ...CRM, name: 'CRM (sales)' };
    assert.equal((await call(s.browser(), `${api}/apps/crm`, { method: 'PUT', headers: token, body })).status, 428);
    const ok = await call(s.browser(), `${api}/apps/crm`, { method: 'PUT', headers: { ...token, 'if-match': '"v1"' }, body });
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    assert.equal(ok.headers['etag'], '"v2"');
    const stale = await call(s.browser(), `${api}/apps/crm`, { method: 'PATCH', headers: { ...token, 'if-match': '"v1"' }, body: { name: 'Other' } });
    assert.equal(stale.status, 412);
    assert.equal(stale.json['code'], 'precondition_failed');
    assert.equal(stale.headers['etag'], '"v2"');
    assert.match(String(stale.json['message']), /changed by token:ci/);
    const got = await call(s.browser(), `${api}/apps/crm`, { headers: token });
    assert.equal(got.json['name'], 'CRM (sales)');
    assert.equal(got.headers['etag'], '"v2"');
  });

  test('an app that would stand in front of the auth host (every admin) is refused with the reason', async () => {
    const r = await call(s.browser(), `${api}/apps`, { method: 'POST', headers: token, body: { ...CRM, id: 'catchall', hosts: ['*.localtest.me'] } });
    assert.equal(r.status, 409);
    assert.equal(r.json['code'], 'admin_lockout');
    assert.match(String(r.json['message']), /covers the auth host auth\.localtest\.me/);
  });

  test('cookie writes need the Origin (CSRF); every change is audited with before and after', async () => {
    const admin = browserAs(s, await globalSessionFor(s, 'ada@contoso.com', ['Moatless Admins']));
    const cur = await call(admin, `${api}/apps/crm`);
    const noOrigin = await call(admin, `${api}/apps/crm`, { method: 'PATCH', headers: { 'if-match': String(cur.headers['etag']) }, body: { name: 'CRM!' } });
    assert.equal(noOrigin.json['code'], 'csrf_rejected');
    const r = await call(admin, `${api}/apps/crm`, { method: 'PATCH', headers: { 'if-match': String(cur.headers['etag']), origin: s.authUrl }, body: { name: 'CRM!' } });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const audit = (await call(s.browser(), `${api}/logs/audit?limit=10`, { headers: token })).json['items'] as { actor: string; action: string; target: string; before: { name?: string } | null; after: { name?: string } | null }[];
    assert.deepEqual(audit.slice(0, 2).map((e) => `${e.actor} ${e.action} ${e.target} ${e.before?.name} → ${e.after?.name}`),
      ['user:ada@contoso.com app.update app:crm CRM (sales) → CRM!', 'token:ci app.update app:crm CRM → CRM (sales)']);
    assert.ok(audit.some((e) => e.action === 'app.create' && e.before === null && e.after?.name === 'CRM'));
  });

  test('moatless config check and policy test see the objects created through the API', async () => {
    const file = join(dir, 'moatless.yaml');
    writeFileSync(file, stringify({ ...(s.config.fileObject as object), storage: { kind: 'postgres', url: pgSchema.url, schema: pgSchema.schema } }));
    // Two independent read-only commands: run side by side (each is mostly Node starting up).
    const [check, pt] = await Promise.all([
      runMoatless(['config', 'check', '--config', file]),
      runMoatless(['policy', 'test', '--config', file, '--user', 'bob@contoso.com', '--groups', 'Staff', '--url', 'http://crm.localtest.me/']),
    ]);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /3 app\(s\).*with 2 object\(s\) from the admin API/);
    assert.equal(pt.code, 0, pt.stderr);
    assert.match(pt.stdout, /app: crm[\s\S]*allow/i);
  });

  test('an object that no longer fits (written behind the API\'s back) takes its app out on every replica, and is listed', async () => {
    const store = s.moatless.store;
    const bad = { kind: 'policy' as const, id: 'p-bad', body: { app: 'crm', name: 'gone', action: 'block', include: [{ ruleGroup: 'gone' }] } };
    await store.transaction(async (tx) => {
      await tx.admin.configObjects.create({ ...bad, createdAt: Date.now(), createdBy: 'test' });
      await tx.changes.publish(CONFIG_OBJECTS_TOPIC, {});
    });
    // Written behind the API's back, so neither process has it yet: wait until both have applied it.
    const notServed = async () => (await call(s.browser(), `${api}/config-objects/not-served`, { headers: token })).json['items'] as unknown[];
    const crmOnReplica = async () => (await onReplica().get(`http://crm.localtest.me:${replicaPort}/`)).status;
    let status = 0;
    let listed: unknown[] = [];
    for (let i = 0; i < 100 && (status !== 404 || listed.length === 0); i++) {
      [status, listed] = await Promise.all([crmOnReplica(), notServed()]);
      if (status !== 404 || listed.length === 0) await new Promise((res) => setTimeout(res, 50));
    }
    assert.equal(status, 404, 'crm is not served with one of its deny policies missing');
    assert.deepEqual(listed, [{ path: 'api policy "p-bad" (app "crm").include[0].ruleGroup', message: 'unknown rule group "gone"; known: (none)' }]);
    await store.transaction(async (tx) => {
      await tx.admin.configObjects.remove('policy', 'p-bad', 1);
      await tx.changes.publish(CONFIG_OBJECTS_TOPIC, {});
    });
    for (let i = 0; i < 100 && (status !== 302 || listed.length > 0); i++) {
      [status, listed] = await Promise.all([crmOnReplica(), notServed()]);
      if (status !== 302 || listed.length > 0) await new Promise((res) => setTimeout(res, 50));
    }
    assert.equal(status, 302, 'served again once it fits');
    assert.deepEqual(listed, [], 'and no longer listed on the API\'s replica');
  });

  test('deleting the app takes its policies with it, on every replica', async () => {
    const cur = await call(s.browser(), `${api}/apps/crm`, { headers: token });
    const r = await call(s.browser(), `${api}/apps/crm`, { method: 'DELETE', headers: { ...token, 'if-match': String(cur.headers['etag']) } });
    assert.deepEqual(r.json, { deleted: 2 });
    let status = 0;
    for (let i = 0; i < 40 && status !== 404; i++) {
      status = (await onReplica().get(`http://crm.localtest.me:${replicaPort}/`)).status;
      if (status !== 404) await new Promise((res) => setTimeout(res, 50));
    }
    assert.equal(status, 404);
    assert.deepEqual(await s.moatless.store.admin.configObjects.list(), []);
  });
});
