// Scenario: the admin API at /api/v1 on a running moatless serve — API tokens and admin sign-in by
// group, CSRF on cookie calls, schema errors with field paths, sessions, directory, config, policy
// tester, access log and the audit log of every change — plus its generated OpenAPI document.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, sessionFor, type Stack } from '../harness/stack.ts';
import { directoryWiring } from '../../src/cli/directory-wiring.ts';
import { createAdminToken } from '../../src/admin/index.ts';
import { createScimToken } from '../../src/directory/scim-tokens.ts';
import type { TestBrowser } from '../harness/http-client.ts';
import { browserAs, call, globalSessionFor } from './helpers.ts';

const DAY = 86_400_000;

describe('admin API', () => {
  let s: Stack;
  let api: string;
  let writeToken: string;
  let readToken: string;
  let admin: TestBrowser;
  let auditor: TestBrowser;
  const asToken = (token: string) => ({ authorization: `Bearer ${token}` });

  before(async () => {
    s = await startStack({ compose: directoryWiring(), extra: { admin: { adminGroups: ['Moatless Admins'], auditorGroups: ['Auditors'] } } });
    api = `${s.authUrl}/api/v1`;
    writeToken = (await createAdminToken(s.moatless.store, { name: 'ci', scope: 'write', expiresInMs: DAY, now: Date.now() })).token;
    readToken = (await createAdminToken(s.moatless.store, { name: 'grafana', scope: 'read', expiresInMs: DAY, now: Date.now() })).token;
    admin = browserAs(s, await globalSessionFor(s, 'ada@contoso.com', ['moatless admins']));
    auditor = browserAs(s, await globalSessionFor(s, 'aud@contoso.com', ['Auditors']));
  });
  after(async () => { await s.close(); });

  describe('authentication and roles', () => {
    test('no credentials → 401 with a Bearer challenge and the error shape', async () => {
      const r = await call(s.browser(), `${api}/sessions`);
      assert.equal(r.status, 401);
      assert.match(String(r.headers['www-authenticate']), /^Bearer realm="moatless-admin"/);
      assert.deepEqual(Object.keys(r.json).sort(), ['code', 'details', 'message']);
      assert.equal(r.json['code'], 'unauthenticated');
    });

    test('an unknown, expired or revoked token → 401 (never falls back to the cookie)', async () => {
      const expired = (await createAdminToken(s.moatless.store, { name: 'old', scope: 'write', expiresInMs: 1, now: Date.now() - 10 })).token;
      const revoked = await createAdminToken(s.moatless.store, { name: 'gone', scope: 'write', expiresInMs: DAY, now: Date.now() });
      await s.moatless.store.admin.tokens.revoke(revoked.record.id, Date.now());
      for (const t of [`mla_${'x'.repeat(43)}`, expired, revoked.token]) {
        assert.equal((await call(admin, `${api}/sessions`, { headers: asToken(t) })).status, 401, t.slice(0, 8));
      }
    });

    test('a signed-in user outside the admin groups → 403', async () => {
      const nobody = browserAs(s, await globalSessionFor(s, 'bob@contoso.com', ['Staff']));
      const r = await call(nobody, `${api}/sessions`);
      assert.equal(r.status, 403);
      assert.equal(r.json['code'], 'forbidden');
    });

    test('admin by group (case-insensitive), auditor read-only, read token read-only', async () => {
      assert.deepEqual((await call(admin, `${api}/me`)).json, { actor: 'user:ada@contoso.com', kind: 'user', role: 'admin', canWrite: true });
      assert.equal((await call(auditor, `${api}/me`)).json['role'], 'auditor');
      const body = { by: 'app', appId: 'wiki' };
      const byAuditor = await call(auditor, `${api}/sessions/revoke`, { method: 'POST', body, headers: { origin: s.authUrl } });
      assert.equal(byAuditor.status, 403);
      const byReadToken = await call(s.browser(), `${api}/sessions/revoke`, { method: 'POST', body, headers: asToken(readToken) });
      assert.equal(byReadToken.status, 403);
      assert.match(String(byReadToken.json['message']), /read-only/);
    });
  });

  describe('CSRF', () => {
    test('a cookie-authenticated POST without Origin, or from another origin, is refused', async () => {
      const body = { by: 'app', appId: 'nothing' };
      for (const headers of [{}, { origin: 'https://evil.example' }, { origin: s.wikiUrl }] as Record<string, string>[]) {
        const r = await call(admin, `${api}/sessions/revoke`, { method: 'POST', body, headers });
        assert.equal(r.status, 403, JSON.stringify(headers));
        assert.equal(r.json['code'], 'csrf_rejected');
      }
      assert.equal((await call(admin, `${api}/sessions/revoke`, { method: 'POST', body, headers: { origin: s.authUrl } })).status, 200);
    });

    test('token calls need no Origin', async () => {
      const r = await call(s.browser(), `${api}/sessions/revoke`, { method: 'POST', body: { by: 'app', appId: 'nothing' }, headers: asToken(writeToken) });
      assert.equal(r.status, 200);
    });
  });

  describe('bad input', () => {
    test('a schema-invalid body → 400 with field paths', async () => {
      const r = await call(s.browser(), `${api}/sessions/revoke`, { method: 'POST', body: { by: 'session', sessionId: 'abc' }, headers: asToken(writeToken) });
      assert.equal(r.status, 400);
      assert.equal(r.json['code'], 'invalid_request');
      assert.deepEqual((r.json['details'] as { path: string }[]).map((d) => d.path), ['body.sessionId']);
      const unknownKey = await call(s.browser(), `${api}/sessions/revoke`, { method: 'POST', body: { by: 'user', email: 'a@b.co', extra: 1 }, headers: asToken(writeToken) });
      assert.equal(unknownKey.status, 400);
      const policy = await call(s.browser(), `${api}/policy-test`, { method: 'POST', body: { url: 'ftp://x', country: 'Germany' }, headers: asToken(readToken) });
      assert.deepEqual((policy.json['details'] as { path: string }[]).map((d) => d.path).sort(), ['body.country', 'body.url', 'body.user']);
    });

    test('malformed JSON, a wrong media type and an oversized body', async () => {
      const h = asToken(writeToken);
      const bad = await call(s.browser(), `${api}/sessions/revoke`, { method: 'POST', body: '{"by":', headers: h });
      assert.equal(bad.status, 400);
      assert.equal(bad.json['code'], 'invalid_json');
      const media = await call(s.browser(), `${api}/sessions/revoke`, { method: 'POST', body: 'x', headers: { ...h, 'content-type': 'text/plain' } });
      assert.equal(media.status, 415);
      const big = await call(s.browser(), `${api}/sessions/revoke`, { method: 'POST', body: JSON.stringify({ pad: 'x'.repeat(70_000) }), headers: h });
      assert.equal(big.status, 413);
    });

    test('query: caps on list sizes, unknown parameters and tampered cursors are 400; unknown paths 404; wrong method 405', async () => {
      const h = asToken(readToken);
      const huge = await call(s.browser(), `${api}/sessions?limit=100000`, { headers: h });
      assert.equal(huge.status, 400);
      assert.equal((huge.json['details'] as { path: string }[])[0]?.path, 'query.limit');
      assert.equal((await call(s.browser(), `${api}/sessions?emial=x`, { headers: h })).status, 400);
      const cursor = await call(s.browser(), `${api}/logs/access?cursor=bm9wZQ`, { headers: h });
      assert.equal(cursor.status, 400);
      assert.equal((cursor.json['details'] as { path: string }[])[0]?.path, 'query.cursor');
      assert.equal((await call(s.browser(), `${api}/nothing`, { headers: h })).status, 404);
      const wrong = await call(s.browser(), `${api}/sessions`, { method: 'DELETE', headers: h });
      assert.equal(wrong.status, 405);
    });
  });

  describe('sessions', () => {
    test('list with filters and cursor paging; revoke per session, per user, per app — each refused on the next request', async () => {
      const h = asToken(writeToken);
      const alice = [await sessionFor(s, 'alice@contoso.com', 'wiki'), await sessionFor(s, 'alice@contoso.com', 'wiki'), await sessionFor(s, 'alice@contoso.com', 'wiki')];
      const first = await call(s.browser(), `${api}/sessions?email=ALICE@contoso.com&limit=4`, { headers: h });
      assert.equal(first.status, 200);
      const items = first.json['items'] as { id: string; email: string; kind: string }[];
      assert.equal(items.length, 4);
      assert.ok(items.every((i) => i.email === 'alice@contoso.com'));
      const second = await call(s.browser(), `${api}/sessions?email=alice@contoso.com&limit=4&cursor=${String(first.json['nextCursor'])}`, { headers: h });
      const rest = second.json['items'] as { id: string; kind: string }[];
      assert.equal(rest.length, 2);
      assert.equal(second.json['nextCursor'], null);
      assert.equal(new Set([...items, ...rest].map((i) => i.id)).size, 6);

      const wiki = (secret: string) => { const b = s.browser(); b.jar.set('wiki.localtest.me', new Map([['moatless_session', secret]])); return b.get(`${s.wikiUrl}/`); };
      assert.equal((await wiki(alice[0]!)).status, 200);
      const global = [...items, ...rest].find((i) => i.kind === 'global')!;
      const one = await call(s.browser(), `${api}/sessions/revoke`, { method: 'POST', body: { by: 'session', sessionId: global.id }, headers: h });
      assert.deepEqual(one.json, { revoked: 1 });
      const again = await call(s.browser(), `${api}/sessions/revoke`, { method: 'POST', body: { by: 'session', sessionId: global.id }, headers: h });
      assert.equal(again.status, 404);
      const stillLive = (await Promise.all(alice.map(wiki))).filter((r) => r.status === 200).length;
      assert.equal(stillLive, 2, 'exactly one sign-in (and its app session) ended');

      const byUser = await call(s.browser(), `${api}/sessions/revoke`, { method: 'POST', body: { by: 'user', email: 'alice@contoso.com' }, headers: h });
      assert.deepEqual(byUser.json, { revoked: 4 });
      for (const secret of alice) assert.notEqual((await wiki(secret)).status, 200);

      const carol = await sessionFor(s, 'carol@contoso.com', 'wiki');
      const byApp = await call(s.browser(), `${api}/sessions/revoke`, { method: 'POST', body: { by: 'app', appId: 'wiki' }, headers: h });
      assert.ok((byApp.json['revoked'] as number) >= 1);
      assert.notEqual((await wiki(carol)).status, 200);
    });
  });

  describe('audit log', () => {
    test('every state-changing call is recorded with who, what, before and after; paged by cursor', async () => {
      const h = asToken(writeToken);
      await sessionFor(s, 'dave@contoso.com', 'wiki');
      await call(s.browser(), `${api}/sessions/revoke`, { method: 'POST', body: { by: 'user', email: 'dave@contoso.com' }, headers: h });
      await call(admin, `${api}/sessions/revoke`, { method: 'POST', body: { by: 'app', appId: 'payroll' }, headers: { origin: s.authUrl } });
      const r = await call(s.browser(), `${api}/logs/audit?limit=1`, { headers: asToken(readToken) });
      const [latest] = r.json['items'] as { actor: string; action: string; target: string; before: unknown; after: unknown; requestId: string }[];
      assert.deepEqual({ actor: latest!.actor, action: latest!.action, target: latest!.target }, { actor: 'user:ada@contoso.com', action: 'sessions.revoke', target: 'app:payroll' });
      assert.ok(latest!.requestId);
      const next = await call(s.browser(), `${api}/logs/audit?limit=1&cursor=${String(r.json['nextCursor'])}`, { headers: asToken(readToken) });
      const [older] = next.json['items'] as { actor: string; target: string; before: { active: number }; after: { active: number; revoked: number } }[];
      assert.equal(older!.actor, 'token:ci');
      assert.equal(older!.target, 'user:dave@contoso.com');
      assert.deepEqual({ before: older!.before, after: older!.after }, { before: { active: 2 }, after: { active: 0, revoked: 2 } });
      const filtered = await call(s.browser(), `${api}/logs/audit?actor=${encodeURIComponent('user:ada@contoso.com')}`, { headers: asToken(readToken) });
      assert.ok((filtered.json['items'] as { actor: string }[]).every((e) => e.actor === 'user:ada@contoso.com'));
      const refused = await call(s.browser(), `${api}/logs/audit?limit=500`, { headers: asToken(readToken) });
      assert.ok(!(refused.json['items'] as { requestId: string }[]).some((e) => JSON.stringify(e).includes('mla_')), 'no token in the audit log');
    });
  });

  describe('directory', () => {
    test('users and groups: paging, search, details with groups', async () => {
      const token = (await createScimToken(s.moatless.store, { name: 'entra', directoryName: 'entra', now: Date.now() })).token;
      const scim = (method: string, path: string, body: unknown) => s.browser().get(`${s.authUrl}/scim/v2${path}`, {
        method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' }, body: JSON.stringify(body),
      });
      const ids: string[] = [];
      for (const n of ['erin', 'frank', 'grace']) {
        const r = await scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `${n}@contoso.com`, active: true, emails: [{ primary: true, value: `${n}@contoso.com` }] });
        ids.push((JSON.parse(r.body) as { id: string }).id);
      }
      await scim('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Finance', members: [{ value: ids[0] }, { value: ids[2] }] });
      const h = asToken(readToken);
      const p1 = await call(s.browser(), `${api}/directory/users?limit=2`, { headers: h });
      assert.equal(p1.status, 200, p1.body);
      const p2 = await call(s.browser(), `${api}/directory/users?limit=2&cursor=${String(p1.json['nextCursor'])}`, { headers: h });
      const names = [...(p1.json['items'] as { userName: string }[]), ...(p2.json['items'] as { userName: string }[])].map((u) => u.userName);
      assert.deepEqual(names, ['erin@contoso.com', 'frank@contoso.com', 'grace@contoso.com']);
      assert.equal(p2.json['nextCursor'], null);
      const found = await call(s.browser(), `${api}/directory/users?search=FRA`, { headers: h });
      assert.deepEqual((found.json['items'] as { userName: string }[]).map((u) => u.userName), ['frank@contoso.com']);
      const dirId = (p1.json['items'] as { directoryId: string }[])[0]!.directoryId;
      const erin = await call(s.browser(), `${api}/directory/users/${dirId}/${ids[0]}`, { headers: h });
      assert.deepEqual((erin.json['groups'] as { displayName: string }[]).map((g) => g.displayName), ['Finance']);
      const groups = await call(s.browser(), `${api}/directory/groups?search=fin`, { headers: h });
      const [fin] = groups.json['items'] as { id: string; memberCount: number }[];
      assert.equal(fin?.memberCount, 2);
      const detail = await call(s.browser(), `${api}/directory/groups/${dirId}/${fin!.id}?limit=1`, { headers: h });
      assert.equal((detail.json['members'] as unknown[]).length, 1);
      assert.notEqual(detail.json['nextCursor'], null);
      assert.equal((await call(s.browser(), `${api}/directory/users/${dirId}/nope`, { headers: h })).status, 404);
    });
  });

  describe('config, policy tester, access log', () => {
    test('apps and policies from config are read-only and marked source: config', async () => {
      const r = await call(s.browser(), `${api}/apps`, { headers: asToken(readToken) });
      const apps = r.json['items'] as { id: string; source: string; policies: { name: string; source: string }[] }[];
      assert.deepEqual(apps.map((a) => a.id).sort(), ['payroll', 'wiki']);
      assert.ok(apps.every((a) => a.source === 'config' && a.policies.every((p) => p.source === 'config')));
      const one = await call(s.browser(), `${api}/apps/wiki`, { headers: asToken(readToken) });
      assert.equal((one.json['policies'] as { name: string }[])[0]?.name, 'staff');
      assert.equal((await call(s.browser(), `${api}/apps/nope`, { headers: asToken(readToken) })).status, 404);
      const pol = await call(s.browser(), `${api}/policies?app=payroll`, { headers: asToken(readToken) });
      assert.deepEqual((pol.json['items'] as { name: string }[]).map((p) => p.name), ['staff-c1']);
      // The file's objects cannot be changed here (API objects: test/admin/config-writes.test.ts).
      const write = await call(s.browser(), `${api}/apps/wiki`, { method: 'DELETE', headers: { ...asToken(writeToken), 'if-match': '"v1"' } });
      assert.equal(write.status, 409);
      assert.equal(write.json['code'], 'read_only');
    });

    test('the policy tester explains the decision, as `moatless policy test` does', async () => {
      const h = asToken(readToken);
      const staff = await call(auditor, `${api}/policy-test`, { method: 'POST', body: { url: `${s.payrollUrl}/`, user: 'bob@contoso.com', groups: ['Staff'] }, headers: { origin: s.authUrl } });
      assert.equal(staff.status, 200, staff.body);
      const d = staff.json['decision'] as { action: string; stepUp: string[] | null };
      assert.equal(d.action, 'deny');
      assert.deepEqual(d.stepUp, ['c1']);
      assert.ok((staff.json['explanation'] as string[])[0]?.startsWith('decision: deny'));
      const ok = await call(s.browser(), `${api}/policy-test`, { method: 'POST', body: { url: `${s.payrollUrl}/`, user: 'bob@contoso.com', groups: ['Staff'], acrs: ['c1'] }, headers: h });
      assert.equal((ok.json['decision'] as { action: string; policy: string }).action, 'allow');
      const none = await call(s.browser(), `${api}/policy-test`, { method: 'POST', body: { url: 'http://nowhere.localtest.me/', anonymous: true }, headers: h });
      assert.equal(none.json['app'], null);
      const token = await call(s.browser(), `${api}/policy-test`, { method: 'POST', body: { url: `${s.wikiUrl}/`, serviceToken: 'missing' }, headers: h });
      assert.deepEqual((token.json['details'] as { path: string }[]).map((x) => x.path), ['body.serviceToken']);
    });

    test('the access log: filters and a cursor that loses nothing inside one millisecond', async () => {
      const t = 1_800_000_000_000;
      const entry = (i: number, time: number) => ({ time, requestId: `q${i}`, userKey: null, email: 'zed@contoso.com', appId: 'wiki', host: 'wiki', path: `/${i}`, method: 'GET', action: i === 0 ? 'deny' : 'allow', policy: null, reasons: [], status: 200, durationMs: 1, clientIp: '127.0.0.1' });
      await s.moatless.store.accessLog.append([entry(0, t), entry(1, t + 1), entry(2, t + 1), entry(3, t + 1), entry(4, t + 2)]);
      const h = asToken(readToken);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const r = await call(s.browser(), `${api}/logs/access?email=zed@contoso.com&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { headers: h });
        assert.equal(r.status, 200, r.body);
        seen.push(...(r.json['items'] as { requestId: string }[]).map((e) => e.requestId));
        cursor = r.json['nextCursor'] as string | null;
      } while (cursor);
      assert.deepEqual([...seen].sort(), ['q0', 'q1', 'q2', 'q3', 'q4']);
      assert.equal(seen[0], 'q4');
      const denied = await call(s.browser(), `${api}/logs/access?email=zed@contoso.com&action=deny&since=${new Date(t).toISOString()}`, { headers: h });
      assert.deepEqual((denied.json['items'] as { requestId: string }[]).map((e) => e.requestId), ['q0']);
    });
  });

  describe('OpenAPI', () => {
    test('/api/v1/openapi.json is an OpenAPI 3.1 document generated from the same schemas', async () => {
      const r = await call(s.browser(), `${api}/openapi.json`);
      assert.equal(r.status, 200);
      assert.equal(r.json['openapi'], '3.1.0');
      const paths = r.json['paths'] as Record<string, Record<string, { operationId: string; requestBody?: unknown }>>;
      for (const p of ['/sessions', '/sessions/revoke', '/directory/users', '/directory/users/{directoryId}/{id}', '/apps', '/policy-test', '/logs/access', '/logs/audit']) assert.ok(paths[p], p);
      assert.equal(paths['/sessions/revoke']?.['post']?.operationId, 'revokeSessions');
      const schemas = (r.json['components'] as { schemas: Record<string, unknown> }).schemas;
      for (const id of ['Error', 'Session', 'SessionRevocation', 'PolicyQuestion', 'AuditLogEntry']) assert.ok(schemas[id], id);
      assert.deepEqual((r.json['servers'] as { url: string }[])[0]?.url, `${s.authUrl}/api/v1`);
    });
  });
});
