// Entra client credentials in the config: exactly one of clientSecret and clientCertificate, and a
// certificate whose PEMs parse and whose key is the certificate's — each problem with its path.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDevCertificate } from '../dev/entra/testing/dev-certificate.ts';
import { loadConfigObject } from './load.ts';

const CERT = createDevCertificate('config-a');
const OTHER = createDevCertificate('config-b');

const entra = (extra: Record<string, unknown>) => ({
  server: { authUrl: 'https://auth.example.com', listeners: [{ address: '127.0.0.1:8080' }] },
  identityProviders: [{ id: 'entra', type: 'entra', tenantId: '5f1c2e7a-3b4d-4c8e-9a61-0d2b7f3e8c41', clientId: '8a3e6d2c-1f47-4b9a-b5e0-6c2d9f1a7e34', ...extra }],
});

function issuesOf(raw: unknown, env: Record<string, string> = {}, sourcePath?: string): string[] {
  const r = loadConfigObject(raw, { env, ...(sourcePath ? { sourcePath } : {}) });
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
}

describe('Entra client credentials in the config', () => {
  test('neither clientSecret nor clientCertificate is an error at the IdP path', () => {
    assert.deepEqual(issuesOf(entra({})), ['identityProviders[0]: set clientSecret or clientCertificate (neither is set)']);
  });

  test('both are an error', () => {
    assert.deepEqual(issuesOf(entra({ clientSecret: 'x', clientCertificate: { certificate: CERT.certificatePem, privateKey: CERT.privateKeyPem } })),
      ['identityProviders[0].clientCertificate: set clientSecret or clientCertificate, not both']);
  });

  test('a certificate from env and file resolves to PEMs; no secret is recorded for that IdP', () => {
    const dir = mkdtempSync(join(tmpdir(), 'moatless-cfg-'));
    writeFileSync(join(dir, 'key.pem'), CERT.privateKeyPem);
    const r = loadConfigObject(entra({ clientCertificate: { certificate: { env: 'ENTRA_CERT' }, privateKey: { file: 'key.pem' } } }),
      { env: { ENTRA_CERT: CERT.certificatePem }, sourcePath: join(dir, 'moatless.yaml') });
    assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.issues));
    const pair = r.config.secrets.idpClientCertificates.get('entra');
    assert.equal(pair?.certificatePem, CERT.certificatePem);
    assert.equal(pair?.privateKeyPem, CERT.privateKeyPem.trim());
    assert.equal(r.config.secrets.idpClientSecrets.has('entra'), false);
  });

  test('a key that is not the certificate\'s is refused with the privateKey path', () => {
    assert.deepEqual(issuesOf(entra({ clientCertificate: { certificate: CERT.certificatePem, privateKey: OTHER.privateKeyPem } })),
      ['identityProviders[0].clientCertificate.privateKey: the private key does not belong to the certificate']);
  });

  test('text that is not a certificate or not a key is named, without quoting it', () => {
    assert.deepEqual(issuesOf(entra({ clientCertificate: { certificate: 'hello', privateKey: CERT.privateKeyPem } })),
      ['identityProviders[0].clientCertificate.certificate: not a PEM X.509 certificate ("-----BEGIN CERTIFICATE-----")']);
    const bad = issuesOf(entra({ clientCertificate: { certificate: CERT.certificatePem, privateKey: 'not-a-key-s3cr3t' } }));
    assert.deepEqual(bad, ['identityProviders[0].clientCertificate.privateKey: not a PEM private key (unencrypted PKCS#8 or PKCS#1)']);
  });

  test('an unset environment variable is reported, not parsed', () => {
    assert.deepEqual(issuesOf(entra({ clientCertificate: { certificate: { env: 'NO_CERT' }, privateKey: CERT.privateKeyPem } })),
      ['identityProviders[0].clientCertificate.certificate: environment variable NO_CERT is not set']);
  });

  test('a client secret still resolves as before', () => {
    const r = loadConfigObject(entra({ clientSecret: { env: 'S' } }), { env: { S: 'the-secret' } });
    assert.ok(r.ok);
    assert.equal(r.config.secrets.idpClientSecrets.get('entra'), 'the-secret');
    assert.equal(r.config.secrets.idpClientCertificates.size, 0);
  });
});
