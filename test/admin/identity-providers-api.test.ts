// GET /api/v1/identity-providers and /{id}: every configured provider with its type, issuer, client
// id, scopes and the apps that offer it — and never a client secret, a certificate's private key
// or where they are kept (file paths), whichever way they were configured.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEntraEmulator, type EntraEmulator } from '../../src/dev/entra/index.ts';
import { createDevCertificate } from '../../src/dev/entra/testing/dev-certificate.ts';
import { createAdminToken } from '../../src/admin/index.ts';
import { CLIENT_ID, FIXTURE, TENANT, defaultApps, startStack, type Stack } from '../harness/stack.ts';
import { call } from './helpers.ts';

const ENTRA_SECRET = 'entra-Secret-value-7f3b9c21';
const OIDC_SECRET = 'okta-Secret-value-2a6d8e40';
const ENTRA_CERT_TENANT = '0d9a4b2e-6c1f-4e7a-9b3d-5f8e2c1a7b60';

describe('admin API: identity providers', () => {
  let s: Stack;
  let emulator: EntraEmulator;
  let dir: string;
  let api: string;
  let read: Record<string, string>;
  const cert = createDevCertificate('moatless-idp-view');
  const keyBody = cert.privateKeyPem.split('\n').filter((l) => l && !l.startsWith('-----'));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'moatless-idp-api-'));
    writeFileSync(join(dir, 'cert.pem'), cert.certificatePem);
    writeFileSync(join(dir, 'key.pem'), cert.privateKeyPem);
    writeFileSync(join(dir, 'okta-secret'), OIDC_SECRET);
    emulator = await startEntraEmulator({ fixturePath: FIXTURE, port: 0 });
    s = await startStack({
      emulator,
      apps: (wiki, payroll) => {
        const [w, p] = defaultApps(wiki, payroll) as Record<string, unknown>[];
        return [w, { ...p, identityProviders: ['okta', 'entra-cert'] }];
      },
      extra: {
        identityProviders: [
          { id: 'entra', type: 'entra', tenantId: TENANT, clientId: CLIENT_ID, clientSecret: ENTRA_SECRET, authorityUrl: emulator.url, graphUrl: emulator.graphUrl, reauthOnGroupChange: true },
          { id: 'okta', type: 'oidc', displayName: 'Okta', issuer: 'https://contoso.okta.example/oauth2/default', clientId: 'okta-client-1', clientSecret: { file: join(dir, 'okta-secret') }, scopes: ['openid', 'email', 'groups'] },
          { id: 'entra-cert', type: 'entra', tenantId: ENTRA_CERT_TENANT, clientId: CLIENT_ID, cloud: 'usgovhigh', clientCertificate: { certificate: { file: join(dir, 'cert.pem') }, privateKey: { file: join(dir, 'key.pem') } } },
        ],
      },
    });
    api = `${s.authUrl}/api/v1`;
    const token = (await createAdminToken(s.moatless.store, { name: 'auditor', scope: 'read', expiresInMs: 3_600_000, now: Date.now() })).token;
    read = { authorization: `Bearer ${token}` };
  });
  after(async () => {
    await s?.close();
    await emulator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the list shows type, issuer, client id, scopes and the apps that offer each provider', async () => {
    const r = await call(s.browser(), `${api}/identity-providers`, { headers: read });
    assert.equal(r.status, 200, r.body);
    const items = r.json['items'] as Record<string, unknown>[];
    const byId = new Map(items.map((i) => [i['id'], i]));
    assert.deepEqual([...byId.keys()], ['entra', 'okta', 'entra-cert']);
    const entra = byId.get('entra')!;
    assert.equal(entra['type'], 'entra');
    assert.equal(entra['issuer'], `${emulator.url}/${TENANT}/v2.0`);
    assert.equal(entra['clientId'], CLIENT_ID);
    assert.deepEqual(entra['scopes'], ['openid', 'email', 'profile']);
    assert.deepEqual(entra['apps'], ['wiki'], 'wiki names no provider, so it offers every one; payroll offers okta and entra-cert');
    assert.deepEqual(entra['credential'], { kind: 'clientSecret', certificateThumbprint: null, certificateNotAfter: null });
    assert.equal(entra['reauthOnGroupChange'], true);
    const okta = byId.get('okta')!;
    assert.equal(okta['issuer'], 'https://contoso.okta.example/oauth2/default');
    assert.deepEqual(okta['scopes'], ['openid', 'email', 'groups']);
    assert.deepEqual(okta['apps'], ['wiki', 'payroll']);
    assert.equal(okta['groupsClaim'], 'groups');
    const withCert = byId.get('entra-cert')!;
    assert.deepEqual(withCert['apps'], ['wiki', 'payroll']);
    assert.equal(withCert['issuer'], `https://login.microsoftonline.us/${ENTRA_CERT_TENANT}/v2.0`, 'the issuer of its cloud');
    const credential = withCert['credential'] as Record<string, unknown>;
    assert.equal(credential['kind'], 'clientCertificate');
    assert.match(String(credential['certificateThumbprint']), /^[A-Za-z0-9_-]{43}$/);
    assert.ok(Date.parse(String(credential['certificateNotAfter'])) > Date.now());
  });

  test('one provider by id; an unknown id is 404', async () => {
    const r = await call(s.browser(), `${api}/identity-providers/okta`, { headers: read });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json['displayName'], 'Okta');
    assert.equal(r.json['source'], 'config');
    const missing = await call(s.browser(), `${api}/identity-providers/nope`, { headers: read });
    assert.equal(missing.status, 404);
    assert.equal(missing.json['code'], 'not_found');
  });

  test('no secret, private key, or where they are kept, appears in any answer', async () => {
    const answers = await Promise.all(['', '/entra', '/okta', '/entra-cert'].map((p) => call(s.browser(), `${api}/identity-providers${p}`, { headers: read })));
    for (const { status, body } of answers) {
      assert.equal(status, 200, body);
      for (const secret of [ENTRA_SECRET, OIDC_SECRET, 'okta-secret', join(dir, 'key.pem'), 'PRIVATE KEY', keyBody[1]!]) {
        assert.ok(!body.includes(secret), `"${secret.slice(0, 24)}…" must not appear in ${body.slice(0, 80)}…`);
      }
      assert.doesNotMatch(body, /clientSecret"\s*:|privateKey/);
    }
  });

  test('listed in the OpenAPI document', async () => {
    const doc = (await call(s.browser(), `${api}/openapi.json`, { headers: read })).json as { paths: Record<string, unknown> };
    assert.ok(doc.paths['/api/v1/identity-providers'] ?? doc.paths['/identity-providers'], Object.keys(doc.paths).join(' '));
    assert.ok(doc.paths['/api/v1/identity-providers/{id}'] ?? doc.paths['/identity-providers/{id}']);
  });
});
