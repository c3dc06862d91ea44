// Identity providers written through the admin API (issue 18: "apps, policies, rule groups and
// identity providers (read and write)"). moatless.yaml's provider stays read-only; an API provider
// names its secret by environment variable only (never inline, never a file), is offered for sign-in
// at once on this replica and on another sharing the store (change feed), needs If-Match to change,
// and cannot be deleted while an app offers it. Real HTTP, real emulator discovery.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { createAdminToken } from '../../src/admin/index.ts';
import { startMoatless, type MoatlessProcess } from '../../src/cli/compose.ts';
import { loadConfigObject } from '../../src/config/load.ts';
import { freePort } from '../harness/ports.ts';
import { TENANT, startStack, type Stack } from '../harness/stack.ts';
import { TestBrowser } from '../harness/http-client.ts';
import { call } from './helpers.ts';

const DAY = 86_400_000;
const SECRET_ENV = 'MOATLESS_IDP_TEST_OKTA_SECRET';
const SECRET = 'okta-api-Secret-value-93c1d';
let s: Stack;
let replica: MoatlessProcess;
let replicaPort: number;
let api: string;
let write: Record<string, string>;
let okta: Record<string, unknown>;

before(async () => {
  // Every replica resolves the named variable itself, as it does for moatless.yaml's references.
  process.env[SECRET_ENV] = SECRET;
  s = await startStack({});
  api = `${s.authUrl}/api/v1`;
  write = { authorization: `Bearer ${(await createAdminToken(s.moatless.store, { name: 'ci', scope: 'write', expiresInMs: DAY, now: Date.now() })).token}` };
  okta = { id: 'okta', type: 'oidc', displayName: 'Okta (API)', issuer: `${s.emulator.url}/${TENANT}/v2.0`, clientId: 'okta-api-client', clientSecret: { env: SECRET_ENV } };
  replicaPort = await freePort();
  const raw = s.config.fileObject as Record<string, Record<string, unknown>>;
  const second = loadConfigObject({ ...raw, server: { ...raw.server, listeners: [{ address: `127.0.0.1:${replicaPort}` }] } }, { env: {} });
  assert.ok(second.ok);
  replica = await startMoatless(second.config, { logger: pino({ level: 'silent' }), pollGraph: false });
});
after(async () => {
  await replica?.close();
  await s?.close();
  delete process.env[SECRET_ENV];
});

const post = (path: string, body: unknown) => call(s.browser(), `${api}${path}`, { method: 'POST', body, headers: write });

/** Where a visit to the crm app is sent to sign in (the IdP's authorize URL), app and auth host both served by `port`. */
async function signInTarget(port: number): Promise<URL | undefined> {
  const b = new TestBrowser(new Map([[`crm.localtest.me:${s.port}`, port], [`auth.localtest.me:${s.port}`, port]]));
  const r = await b.follow(`http://crm.localtest.me:${s.port}/`, { max: 6 }).catch((e: Error) => ({ chain: [e.message] }));
  return r.chain.map((u) => { try { return new URL(u); } catch { return null; } }).find((u) => u?.pathname.endsWith('/authorize')) ?? undefined;
}

test('secrets are named by a MOATLESS_IDP_ variable only: inline values and files are refused with field paths', async () => {
  for (const clientSecret of [SECRET, { file: '/etc/moatless/gateway-ca.key' }, { env: 'MOATLESS_DATABASE_URL' }]) {
    const r = await post('/identity-providers', { ...okta, clientSecret });
    assert.equal(r.status, 400, JSON.stringify(clientSecret));
    assert.equal((r.json['details'] as { path: string }[])[0]!.path, 'body.clientSecret');
  }
  const unset = await post('/identity-providers', { ...okta, clientSecret: { env: 'MOATLESS_IDP_NOT_SET_HERE' } });
  assert.equal(unset.status, 400);
  assert.deepEqual(unset.json['details'], [{ path: 'body.clientSecret', message: 'environment variable MOATLESS_IDP_NOT_SET_HERE is not set' }]);
  const fileIdp = await post('/identity-providers', { ...okta, id: 'entra' });
  assert.equal(fileIdp.status, 409);
  assert.equal(fileIdp.json['code'], 'read_only', 'moatless.yaml\'s provider stays the file\'s');
});

test('an API provider is offered for sign-in at once on both replicas; never shown with its secret', async () => {
  const created = await post('/identity-providers', okta);
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const app = await post('/apps', { id: 'crm', hosts: ['crm.localtest.me'], upstream: 'http://127.0.0.1:9', identityProviders: ['okta'] });
  assert.equal(app.status, 201, JSON.stringify(app.json));

  const here = await signInTarget(s.port);
  assert.equal(here?.searchParams.get('client_id'), 'okta-api-client', 'this replica built the new provider');
  let there: URL | undefined;
  // The other replica hears of it through the change feed (NOTIFY or the SQLite poll): give it 5 s.
  for (const until = Date.now() + 5000; !there && Date.now() < until;) {
    there = await signInTarget(replicaPort);
    if (!there) await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(there?.searchParams.get('client_id'), 'okta-api-client', 'the other replica learned it through the change feed');

  const view = await call(s.browser(), `${api}/identity-providers/okta`, { headers: write });
  assert.equal(view.status, 200);
  assert.equal(view.json['source'], 'api');
  assert.equal(view.headers['etag'], '"v1"');
  assert.ok((view.json['apps'] as string[]).includes('crm'), 'crm names it (apps that name none offer every provider)');
  const all = await call(s.browser(), `${api}/identity-providers`, { headers: write });
  assert.ok(!all.body.includes(SECRET), 'the secret\'s value is never returned');
  assert.deepEqual((all.json['items'] as { id: string; source: string }[]).map((p) => [p.id, p.source]), [['entra', 'config'], ['okta', 'api']]);
  const audit = JSON.stringify(await s.moatless.store.admin.audit.query({ limit: 20 }));
  assert.match(audit, /identityProvider\.create/);
  assert.ok(!audit.includes(SECRET));
});

test('changes need If-Match (428, stale 412); a provider an app offers cannot be deleted, and says which app', async () => {
  const url = `${api}/identity-providers/okta`;
  assert.equal((await call(s.browser(), url, { method: 'PATCH', body: { displayName: 'Okta' }, headers: write })).status, 428);
  const patched = await call(s.browser(), url, { method: 'PATCH', body: { displayName: 'Okta' }, headers: { ...write, 'if-match': '"v1"' } });
  assert.equal(patched.status, 200, JSON.stringify(patched.json));
  assert.equal(patched.headers['etag'], '"v2"');
  assert.equal((await call(s.browser(), url, { method: 'PATCH', body: { displayName: 'x' }, headers: { ...write, 'if-match': '"v1"' } })).status, 412);
  const badPatch = await call(s.browser(), url, { method: 'PATCH', body: { clientSecret: 'inline' }, headers: { ...write, 'if-match': '"v2"' } });
  assert.equal(badPatch.status, 400);

  const inUse = await call(s.browser(), url, { method: 'DELETE', headers: { ...write, 'if-match': '"v2"' } });
  assert.equal(inUse.status, 409);
  assert.match(String(inUse.json['message']), /used by app "crm"/);
  const appEtag = String((await call(s.browser(), `${api}/apps/crm`, { headers: write })).headers['etag']);
  assert.equal((await call(s.browser(), `${api}/apps/crm`, { method: 'DELETE', headers: { ...write, 'if-match': appEtag } })).status, 200);
  const gone = await call(s.browser(), url, { method: 'DELETE', headers: { ...write, 'if-match': '"v2"' } });
  assert.equal(gone.status, 200, JSON.stringify(gone.json));
  assert.equal((await call(s.browser(), url, { headers: write })).status, 404);
});
