// Issuer pinning: the `{tenantid}` metadata template, discovery into an openid-client
// Configuration, and the reasons given for another tenant or another cloud.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { startEntraEmulator, type EntraEmulator } from '../../dev/entra/index.ts';
import { checkTokenTenant, discoverEntra, issuerForTenant, issuerMismatch } from './issuer.ts';
import { CLIENT_ID, FIXTURE, SECRET } from './testing/emulator-sign-in.ts';

const T = '5f1c2e7a-3b4d-4c8e-9a61-0d2b7f3e8c41';
const OTHER = '99999999-9999-4999-8999-999999999999';

let emulator: EntraEmulator;
before(async () => { emulator = await startEntraEmulator({ fixturePath: FIXTURE }); });
after(() => emulator.close());

describe('multi-tenant metadata template', () => {
  test('the template is substituted with the tenant id', () => {
    assert.equal(issuerForTenant('https://login.microsoftonline.com/{tenantid}/v2.0', T), `https://login.microsoftonline.com/${T}/v2.0`);
    assert.equal(issuerForTenant(`https://login.microsoftonline.us/${T}/v2.0`, OTHER), `https://login.microsoftonline.us/${T}/v2.0`, 'a concrete issuer is left alone');
  });

  test('openid-client discovery refuses a {tenantid} issuer outside login.microsoftonline.com (why we discover ourselves)', async () => {
    await assert.rejects(oidc.discovery(new URL(`${emulator.url}/organizations/v2.0`), CLIENT_ID, SECRET, undefined, { execute: [oidc.allowInsecureRequests] }), /issuer does not match/);
  });

  test('discoverEntra accepts the template metadata and pins the concrete tenant issuer', async () => {
    const config = await discoverEntra({ discoveryBase: `${emulator.url}/organizations/v2.0`, expectedIssuer: emulator.issuer, tenantId: emulator.tenantId, clientId: CLIENT_ID, credential: { kind: 'secret', secret: SECRET } });
    assert.equal(config.serverMetadata().issuer, emulator.issuer);
    assert.match(config.serverMetadata().token_endpoint ?? '', /\/oauth2\/v2\.0\/token$/);
  });

  test('discoverEntra refuses metadata for another tenant', async () => {
    await assert.rejects(
      discoverEntra({ discoveryBase: emulator.issuer, expectedIssuer: `${emulator.url}/${OTHER}/v2.0`, tenantId: OTHER, clientId: CLIENT_ID, credential: { kind: 'secret', secret: SECRET } }),
      { name: 'SignInError', code: 'wrong_tenant' },
    );
  });

  test('an unknown tenant at the authority is idp_unavailable, naming the cause', async () => {
    await assert.rejects(
      discoverEntra({ discoveryBase: `${emulator.url}/${OTHER}/v2.0`, expectedIssuer: `${emulator.url}/${OTHER}/v2.0`, tenantId: OTHER, clientId: CLIENT_ID, credential: { kind: 'secret', secret: SECRET } }),
      { name: 'SignInError', code: 'idp_unavailable', message: /HTTP 400; check tenantId and cloud/ },
    );
  });
});

describe('token issuer and tenant', () => {
  const expected = `https://login.microsoftonline.com/${T}/v2.0`;

  test('another cloud is named as such', () => {
    const err = issuerMismatch(expected, `https://login.microsoftonline.us/${T}/v2.0`);
    assert.equal(err.code, 'wrong_cloud');
    assert.match(err.message, /login\.microsoftonline\.us \(usgovhigh\/dod\).*login\.microsoftonline\.com \(global\/usgov\)/);
  });

  test('another tenant is named as such', () => {
    const err = issuerMismatch(expected, `https://login.microsoftonline.com/${OTHER}/v2.0`, OTHER);
    assert.equal(err.code, 'wrong_tenant');
    assert.match(err.message, new RegExp(`from tenant ${OTHER}, not ${T}`));
  });

  test('a v1.0 issuer on the same host is refused', () => {
    assert.equal(issuerMismatch(expected, `https://login.microsoftonline.com/${T}/`).code, 'wrong_issuer');
  });

  test('checkTokenTenant wants both iss and tid to match', () => {
    assert.doesNotThrow(() => checkTokenTenant({ iss: expected, tid: T }, expected, T));
    assert.throws(() => checkTokenTenant({ iss: expected, tid: OTHER }, expected, T), { code: 'wrong_tenant' });
    assert.throws(() => checkTokenTenant({ iss: expected }, expected, T), { code: 'wrong_tenant' });
    assert.throws(() => checkTokenTenant({ iss: `https://login.partner.microsoftonline.cn/${T}/v2.0`, tid: T }, expected, T), { code: 'wrong_cloud' });
  });
});
