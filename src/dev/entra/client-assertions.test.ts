// Certificate credentials at the emulator's token endpoint: a good assertion gets a Graph token; a
// wrong key, an expired assertion, a wrong audience, a replay or an unregistered certificate get
// Entra's invalid_client with the matching AADSTS code.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, randomUUID, X509Certificate } from 'node:crypto';
import { SignJWT } from 'jose';
import { EmulatorError, startEntraEmulator, type EntraEmulator } from './index.ts';
import { parseFixture } from './fixture.ts';
import { createDevCertificate } from './testing/dev-certificate.ts';

const TENANT = '11111111-1111-4111-8111-111111111111';
const APP = '22222222-2222-4222-8222-222222222222';
const SECRET_APP = '33333333-3333-4333-8333-333333333333';
const CERT = createDevCertificate('emulator-app');
const ROGUE = createDevCertificate('rogue');
const x5t = (pem: string) => createHash('sha1').update(new X509Certificate(pem).raw).digest('base64url');

let emulator: EntraEmulator;
let tokenUrl: string;
before(async () => {
  emulator = await startEntraEmulator({
    fixture: {
      tenantId: TENANT, tenantName: 'contoso.onmicrosoft.com',
      clients: [
        { clientId: APP, certificates: [CERT.certificatePem], graphRoles: ['User.Read.All'] },
        { clientId: SECRET_APP, clientSecret: 'dev-secret-change-me' },
      ],
    },
  });
  tokenUrl = `${emulator.url}/${TENANT}/oauth2/v2.0/token`;
});
after(() => emulator.close());

interface AssertionParts { keyPem?: string; header?: Record<string, unknown>; aud?: string; nowSec?: number; lifetime?: number; iss?: string }

function assertion(p: AssertionParts = {}): Promise<string> {
  const now = p.nowSec ?? Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5t: x5t(CERT.certificatePem), ...p.header })
    .setIssuer(p.iss ?? APP).setSubject(APP).setAudience(p.aud ?? tokenUrl).setJti(randomUUID())
    .setIssuedAt(now).setNotBefore(now).setExpirationTime(now + (p.lifetime ?? 300))
    .sign(createPrivateKey(p.keyPem ?? CERT.privateKeyPem));
}

async function token(fields: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(tokenUrl, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: `${emulator.graphUrl}/.default`, ...fields }).toString(),
  });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}

const withAssertion = async (jwt: string | Promise<string>) => token({ client_id: APP, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: await jwt });

function assertAadsts(r: { status: number; body: Record<string, unknown> }, code: number, text: RegExp): void {
  assert.equal(r.status, 401, JSON.stringify(r.body));
  assert.equal(r.body['error'], 'invalid_client');
  assert.deepEqual(r.body['error_codes'], [code]);
  assert.match(String(r.body['error_description']), new RegExp(`^AADSTS${code}: ${text.source}`));
}

describe('emulator: certificate client credentials', () => {
  test('a good assertion gets an app token for Graph with the client\'s roles', async () => {
    const r = await withAssertion(assertion());
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body['token_type'], 'Bearer');
    const graph = await fetch(`${emulator.graphUrl}/v1.0/users`, { headers: { authorization: `Bearer ${String(r.body['access_token'])}` } });
    assert.equal(graph.status, 200);
    await graph.body?.cancel();
  });

  test('PS256 is accepted too', async () => {
    const now = Math.floor(Date.now() / 1000);
    const jwt = await new SignJWT({}).setProtectedHeader({ alg: 'PS256', typ: 'JWT', x5t: x5t(CERT.certificatePem) })
      .setIssuer(APP).setSubject(APP).setAudience(tokenUrl).setJti(randomUUID()).setIssuedAt(now).setExpirationTime(now + 300)
      .sign(createPrivateKey(CERT.privateKeyPem));
    assert.equal((await withAssertion(jwt)).status, 200);
  });

  test('an assertion signed with another key is AADSTS700027 naming the thumbprint sent', async () => {
    const r = await withAssertion(assertion({ keyPem: ROGUE.privateKeyPem }));
    assertAadsts(r, 700027, /Client assertion contains an invalid signature/);
    const hex = Buffer.from(x5t(CERT.certificatePem), 'base64url').toString('hex').toUpperCase();
    assert.ok(String(r.body['error_description']).includes(`Thumbprint of key used by client: '${hex}'`));
  });

  test('a header naming an unregistered certificate is AADSTS700027 even with a valid signature by a registered key', async () => {
    assertAadsts(await withAssertion(assertion({ header: { x5t: x5t(ROGUE.certificatePem) } })), 700027, /Client assertion contains an invalid signature/);
  });

  test('an expired assertion is AADSTS700024', async () => {
    const r = await withAssertion(assertion({ nowSec: Math.floor(Date.now() / 1000) - 3600, lifetime: 600 }));
    assertAadsts(r, 700024, /Client assertion is not within its valid time range/);
  });

  test('an audience other than the token endpoint is AADSTS700023 — the issuer URL too', async () => {
    assertAadsts(await withAssertion(assertion({ aud: 'https://login.microsoftonline.com/common/oauth2/v2.0/token' })), 700023, /Client assertion audience claim/);
    assertAadsts(await withAssertion(assertion({ aud: emulator.issuer })), 700023, /Client assertion audience claim/);
  });

  test('an assertion is good once (jti replay refused)', async () => {
    const jwt = await assertion();
    assert.equal((await withAssertion(jwt)).status, 200);
    assert.equal((await withAssertion(jwt)).status, 401);
  });

  test('a certificate client cannot fall back to a secret, and secret clients keep AADSTS7000215', async () => {
    assertAadsts(await token({ client_id: APP, client_secret: 'dev-secret-change-me' }), 7000215, /Invalid client secret provided/);
    assertAadsts(await token({ client_id: SECRET_APP, client_secret: 'wrong-secret' }), 7000215, /Invalid client secret provided/);
    assert.equal((await token({ client_id: SECRET_APP, client_secret: 'dev-secret-change-me' })).status, 200);
  });
});

describe('emulator fixture: client credentials', () => {
  const base = { tenantId: TENANT, tenantName: 'contoso.onmicrosoft.com' };
  const details = (clients: unknown[]): readonly string[] => {
    try {
      parseFixture({ ...base, clients });
    } catch (err) {
      if (err instanceof EmulatorError) return err.details;
      throw err;
    }
    return [];
  };

  test('a client needs a secret or certificates, not both, and certificates must parse', () => {
    assert.deepEqual(details([{ clientId: APP }]), ['clients[0]: set clientSecret or certificates']);
    assert.match(details([{ clientId: APP, clientSecret: 'dev-secret-change-me', certificates: [CERT.certificatePem] }])[0] ?? '', /^clients\[0\]: set clientSecret or certificates, not both/);
    assert.deepEqual(details([{ clientId: APP, certificates: ['-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----'] }]), ['clients[0].certificates[0]: not a PEM X.509 certificate']);
  });
});
