// Admin API: SCIM tokens and admin API tokens created and revoked over real HTTP. The secret is in
// the create answer only (never in a list or the audit log), it works at once, and a revoke stops
// it at once. Auditors and read tokens are refused (403); cookie calls need the auth Origin (CSRF).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAdminToken } from '../../src/admin/index.ts';
import { directoryWiring } from '../../src/cli/directory-wiring.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { browserAs, call, globalSessionFor } from './helpers.ts';
import type { TestBrowser } from '../harness/http-client.ts';

const DAY = 86_400_000;
let s: Stack;
let api: string;
let admin: TestBrowser;
let auditor: TestBrowser;
let read: Record<string, string>;

before(async () => {
  s = await startStack({ compose: directoryWiring(), extra: { admin: { adminGroups: ['Moatless Admins'], auditorGroups: ['Auditors'] } } });
  api = `${s.authUrl}/api/v1`;
  read = { authorization: `Bearer ${(await createAdminToken(s.moatless.store, { name: 'ro', scope: 'read', expiresInMs: DAY, now: Date.now() })).token}` };
  admin = browserAs(s, await globalSessionFor(s, 'ada@contoso.com', ['Moatless Admins']));
  auditor = browserAs(s, await globalSessionFor(s, 'aud@contoso.com', ['Auditors']));
});
after(async () => { await s?.close(); });

const asAdmin = (url: string, method: string, body?: unknown) => call(admin, url, { method, ...(body !== undefined ? { body } : {}), headers: { origin: s.authUrl } });
const scimGet = (token: string) => s.browser().get(`${s.authUrl}/scim/v2/Users`, { headers: { authorization: `Bearer ${token}` } });

async function auditText(): Promise<string> {
  return JSON.stringify(await s.moatless.store.admin.audit.query({ limit: 50 }));
}

test('SCIM token: created once with its secret, works for SCIM at once, listed without it, revoked → 401; audited without the secret', async () => {
  const created = await asAdmin(`${api}/tokens/scim`, 'POST', { name: 'entra', directory: 'contoso' });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const token = String(created.json['token']);
  assert.match(token, /^mlscim_[A-Za-z0-9_-]{43}$/);
  assert.equal(created.json['directory'], 'contoso');
  assert.equal((await scimGet(token)).status, 200);

  const again = await asAdmin(`${api}/tokens/scim`, 'POST', { name: 'entra' });
  assert.equal(again.status, 409, 'one live token per name, as the CLI');
  const list = await call(admin, `${api}/tokens/scim`);
  assert.ok(!list.body.includes(token), 'the list never shows the secret');
  const row = (list.json['items'] as { id: string; name: string; state: string }[]).find((t) => t.name === 'entra');
  assert.equal(row?.state, 'active');

  const revoked = await asAdmin(`${api}/tokens/scim/${row!.id}`, 'DELETE');
  assert.equal(revoked.status, 200, JSON.stringify(revoked.json));
  assert.equal((await scimGet(token)).status, 401);
  assert.equal((await asAdmin(`${api}/tokens/scim/${row!.id}`, 'DELETE')).status, 409, 'already revoked');
  assert.equal((await asAdmin(`${api}/tokens/scim/nope`, 'DELETE')).status, 404);

  const audit = await auditText();
  assert.match(audit, /scim-token\.create/);
  assert.match(audit, /scim-token\.revoke/);
  assert.ok(!audit.includes(token) && !audit.includes(token.slice(7)), 'no secret in the audit log');
});

test('admin token: scope and expiry as asked, the new token calls the API at once; revoked → 401', async () => {
  const created = await asAdmin(`${api}/tokens/admin`, 'POST', { name: 'ci', scope: 'read', expiresInDays: 7 });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const token = String(created.json['token']);
  const expires = Date.parse(String(created.json['expiresAt'])) - Date.parse(String(created.json['createdAt']));
  assert.equal(expires, 7 * DAY);
  const bearer = { authorization: `Bearer ${token}` };
  assert.deepEqual((await call(s.browser(), `${api}/me`, { headers: bearer })).json['canWrite'], false, 'scope read');

  const list = await call(admin, `${api}/tokens/admin`);
  assert.ok(!list.body.includes(token));
  const id = (list.json['items'] as { id: string; name: string }[]).find((t) => t.name === 'ci')!.id;
  assert.equal((await asAdmin(`${api}/tokens/admin/${id}`, 'DELETE')).status, 200);
  assert.equal((await call(s.browser(), `${api}/me`, { headers: bearer })).status, 401);
  assert.ok(!(await auditText()).includes(token), 'no secret in the audit log');
});

test('a token cannot create a token that outlives it (a leaked token cannot extend itself)', async () => {
  const short = { authorization: `Bearer ${(await createAdminToken(s.moatless.store, { name: 'short', scope: 'write', expiresInMs: 2 * DAY, now: Date.now() })).token}` };
  const longer = await call(s.browser(), `${api}/tokens/admin`, { method: 'POST', headers: short, body: { name: 'longer', scope: 'write', expiresInDays: 30 } });
  assert.equal(longer.status, 403);
  assert.match(String(longer.json['message']), /cannot create one that outlives it/);
  assert.equal((longer.json['details'] as { path: string }[])[0]!.path, 'body.expiresInDays');
  const within = await call(s.browser(), `${api}/tokens/admin`, { method: 'POST', headers: short, body: { name: 'within', scope: 'read', expiresInDays: 1 } });
  assert.equal(within.status, 201, JSON.stringify(within.json));
});

test('bad input: field paths; tokens never live forever or past 366 days', async () => {
  for (const body of [{ name: 'x', scope: 'read' }, { name: 'x', scope: 'read', expiresInDays: 0 }, { name: 'x', scope: 'read', expiresInDays: 367 }, { name: 'x', scope: 'admin', expiresInDays: 1 }]) {
    const r = await asAdmin(`${api}/tokens/admin`, 'POST', body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.match(JSON.stringify(r.json['details']), /body\.(expiresInDays|scope)/);
  }
  const badName = await asAdmin(`${api}/tokens/scim`, 'POST', { name: 'no spaces' });
  assert.equal(badName.status, 400);
  assert.equal((badName.json['details'] as { path: string }[])[0]!.path, 'body.name');
});

test('auditors and read tokens get 403; a cookie call without the auth Origin is refused (CSRF)', async () => {
  const body = { name: 'nope', scope: 'write', expiresInDays: 1 };
  assert.equal((await call(auditor, `${api}/tokens/admin`, { method: 'POST', body, headers: { origin: s.authUrl } })).status, 403);
  assert.equal((await call(s.browser(), `${api}/tokens/scim`, { method: 'POST', body: { name: 'nope' }, headers: read })).status, 403);
  const csrf = await call(admin, `${api}/tokens/admin`, { method: 'POST', body, headers: { origin: 'https://evil.example' } });
  assert.equal(csrf.status, 403);
  assert.equal(csrf.json['code'], 'csrf_rejected');
  assert.equal((await call(admin, `${api}/tokens/admin`)).body.includes('"nope"'), false, 'nothing was created');
});

test('the OpenAPI document describes the new operations and their bodies', async () => {
  const doc = (await call(s.browser(), `${api}/openapi.json`)).json as { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
  assert.ok(doc.paths['/tokens/scim']?.['post'] && doc.paths['/tokens/scim/{id}']?.['delete']);
  assert.ok(doc.paths['/tokens/admin']?.['post'] && doc.paths['/tokens/admin/{id}']?.['delete']);
  for (const id of ['ScimTokenCreate', 'ScimTokenCreated', 'AdminTokenCreate', 'AdminTokenCreated']) assert.ok(doc.components.schemas[id], id);
});
