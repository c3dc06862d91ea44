// The admin API endpoints behind the last store-only CLI commands: tunnel tokens, a directory's
// settings, an Entra provider's authentication-context import and a hand-started risk-sync cycle.
// They follow the other write routes: write role or write scope, Origin check on cookie calls,
// schema errors with field paths, an audit entry, and the OpenAPI document lists them. Real server,
// real store, the Entra emulator behind it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAdminToken } from '../../src/admin/index.ts';
import { createScimToken } from '../../src/directory/scim-tokens.ts';
import { CLIENT_ID, TENANT, startStack, type Stack } from '../harness/stack.ts';
import type { TestBrowser } from '../harness/http-client.ts';
import { browserAs, call, globalSessionFor } from './helpers.ts';

const DAY = 86_400_000;
const WRONG_SECRET_ENV = 'MOATLESS_IDP_TEST_WRONG_SECRET';
let s: Stack;
let api: string;
let write: Record<string, string>;
let admin: TestBrowser;
let auditor: TestBrowser;

before(async () => {
  process.env[WRONG_SECRET_ENV] = 'not-the-app-secret';
  s = await startStack({ extra: { admin: { adminGroups: ['Moatless Admins'], auditorGroups: ['Auditors'] } }, compose: { pollGraph: false } });
  api = `${s.authUrl}/api/v1`;
  write = { authorization: `Bearer ${(await createAdminToken(s.moatless.store, { name: 'ci', scope: 'write', expiresInMs: DAY, now: Date.now() })).token}` };
  admin = browserAs(s, await globalSessionFor(s, 'ada@contoso.com', ['Moatless Admins']));
  auditor = browserAs(s, await globalSessionFor(s, 'aud@contoso.com', ['Auditors']));
  await createScimToken(s.moatless.store, { name: 'entra', directoryName: 'contoso', now: Date.now() });
});
after(async () => {
  await s?.close();
  delete process.env[WRONG_SECRET_ENV];
});

test('the OpenAPI document lists the new operations with their bodies', async () => {
  const doc = (await call(s.browser(), `${api}/openapi.json`)).json;
  const paths = doc['paths'] as Record<string, Record<string, { operationId: string; requestBody?: unknown }>>;
  const ops = (p: string) => Object.fromEntries(Object.entries(paths[p] ?? {}).map(([m, o]) => [m, o.operationId]));
  assert.deepEqual(ops('/tokens/tunnel'), { get: 'listTunnelTokens', post: 'createTunnelToken' });
  assert.deepEqual(ops('/tokens/tunnel/{id}'), { delete: 'revokeTunnelToken' });
  assert.deepEqual(ops('/directory/directories/{directory}/settings'), { get: 'getDirectorySettings', patch: 'updateDirectorySettings' });
  assert.deepEqual(ops('/identity-providers/{id}/auth-contexts'), { get: 'listAuthContexts' });
  assert.deepEqual(ops('/identity-providers/{id}/auth-contexts/import'), { post: 'importAuthContexts' });
  assert.deepEqual(ops('/risk/sync'), { post: 'runRiskSync' });
  assert.ok(paths['/risk/sync']?.['post']?.requestBody && paths['/tokens/tunnel']?.['post']?.requestBody);
});

test('cookie writes need the Origin of the auth host and the admin role; auditors read only', async () => {
  const url = `${api}/directory/directories/contoso/settings`;
  const body = { deprovisionOnNoGroups: true };
  const noOrigin = await call(admin, url, { method: 'PATCH', body });
  assert.equal(noOrigin.status, 403);
  assert.equal(noOrigin.json['code'], 'csrf_rejected');
  const byAuditor = await call(auditor, url, { method: 'PATCH', body, headers: { origin: s.authUrl } });
  assert.equal(byAuditor.status, 403);
  assert.equal(byAuditor.json['code'], 'forbidden');
  assert.equal((await call(auditor, url)).json['deprovisionOnNoGroups'], false, 'auditors read it');
  const ok = await call(admin, url, { method: 'PATCH', body, headers: { origin: s.authUrl } });
  assert.equal(ok.status, 200, ok.body);
  assert.deepEqual({ ...ok.json, directoryId: '-' }, { directoryId: '-', directory: 'contoso', deprovisionOnNoGroups: true });
  const [entry] = await s.moatless.store.admin.audit.query({ limit: 1 });
  assert.deepEqual([entry?.actor, entry?.action, entry?.target], ['user:ada@contoso.com', 'directory.settings', 'directory:contoso']);
  const tunnelByAuditor = await call(auditor, `${api}/tokens/tunnel`, { method: 'POST', body: { name: 'x', tunnel: 'x' }, headers: { origin: s.authUrl } });
  assert.equal(tunnelByAuditor.status, 403);
});

test('schema-invalid bodies get 400 with field paths; unknown objects 404', async () => {
  const bad = async (method: string, path: string, body: unknown, field: string) => {
    const r = await call(s.browser(), `${api}${path}`, { method, body, headers: write });
    assert.equal(r.status, 400, `${path}: ${r.body}`);
    assert.ok((r.json['details'] as { path: string }[]).some((d) => d.path === field), `${path}: ${r.body}`);
  };
  await bad('POST', '/tokens/tunnel', { name: 'ok', tunnel: 'Not A Tunnel' }, 'body.tunnel');
  await bad('POST', '/tokens/tunnel', { name: 'ok', tunnel: 'intranet', extra: 1 }, 'body');
  await bad('PATCH', '/directory/directories/contoso/settings', { deprovisionOnNoGroups: 'yes' }, 'body.deprovisionOnNoGroups');
  await bad('POST', '/risk/sync', { dryRun: 'yes' }, 'body.dryRun');
  assert.equal((await call(s.browser(), `${api}/tokens/tunnel/nope`, { method: 'DELETE', headers: write })).status, 404);
  assert.equal((await call(s.browser(), `${api}/directory/directories/nope/settings`, { headers: write })).status, 404);
  assert.equal((await call(s.browser(), `${api}/identity-providers/nope/auth-contexts/import`, { method: 'POST', body: {}, headers: write })).status, 404);
});

test('risk sync without a risk: section is refused with the reason', async () => {
  const r = await call(s.browser(), `${api}/risk/sync`, { method: 'POST', body: { dryRun: true }, headers: write });
  assert.equal(r.status, 409);
  assert.match(String(r.json['message']), /risk sync cannot run: no risk: section in the config/);
});

test('an import Entra refuses (wrong client secret) is a 502 that says why and keeps the previous list', async () => {
  const created = await call(s.browser(), `${api}/identity-providers`, {
    method: 'POST', headers: write,
    body: { id: 'entra-wrong', type: 'entra', tenantId: TENANT, clientId: CLIENT_ID, clientSecret: { env: WRONG_SECRET_ENV }, authorityUrl: s.emulator.url, graphUrl: s.emulator.graphUrl },
  });
  assert.equal(created.status, 201, created.body);
  const r = await call(s.browser(), `${api}/identity-providers/entra-wrong/auth-contexts/import`, { method: 'POST', body: {}, headers: write });
  assert.equal(r.status, 502, r.body);
  assert.equal(r.json['code'], 'upstream_error');
  assert.match(String(r.json['message']), /^Entra refused the app's credential \(invalid_client/);
  assert.ok(!r.body.includes('not-the-app-secret'));
  assert.deepEqual((await call(s.browser(), `${api}/identity-providers/entra-wrong/auth-contexts`, { headers: write })).json['items'], []);
  const good = await call(s.browser(), `${api}/identity-providers/entra/auth-contexts/import`, { method: 'POST', body: {}, headers: write });
  assert.equal(good.status, 200, good.body);
  assert.equal((good.json['items'] as { id: string }[])[0]?.id, 'c1');
  assert.deepEqual((await call(s.browser(), `${api}/identity-providers/entra/auth-contexts`, { headers: write })).json, good.json);
});
