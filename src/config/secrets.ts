// Turns secret references into values. The environment comes in as an argument: config is the only
// capability that sees the environment, and only through load.ts (via env.ts).
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SecretRef } from './schema/common.ts';
import type { ConfigIssue } from './issues.ts';

export interface SecretSources {
  env: Readonly<Record<string, string | undefined>>;
  baseDir: string;
}

export function resolveSecret(ref: SecretRef, path: string, src: SecretSources, issues: ConfigIssue[]): string {
  if (typeof ref === 'string') return ref;
  if ('env' in ref) {
    const value = src.env[ref.env];
    if (value === undefined || value === '') issues.push({ path, message: `environment variable ${ref.env} is not set` });
    return value ?? '';
  }
  try {
    return readFileSync(resolve(src.baseDir, ref.file), 'utf8').trim();
  } catch (err) {
    issues.push({ path, message: `cannot read secret file ${ref.file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
    return '';
  }
}

/** A certificate credential as PEM text, checked to parse and to belong together. */
export interface CertificatePair {
  certificatePem: string;
  privateKeyPem: string;
}

/**
 * Checks a resolved certificate and private key: both parse as PEM, the key is RSA (Entra's
 * certificate credentials are RS256/PS256 signatures), and it is the certificate's key
 * (X509Certificate.checkPrivateKey). Messages never quote the key.
 */
export function checkCertificatePair(pair: CertificatePair, path: string, issues: ConfigIssue[]): void {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pair.certificatePem);
  } catch {
    issues.push({ path: `${path}.certificate`, message: 'not a PEM X.509 certificate ("-----BEGIN CERTIFICATE-----")' });
    return;
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pair.privateKeyPem);
  } catch {
    issues.push({ path: `${path}.privateKey`, message: 'not a PEM private key (unencrypted PKCS#8 or PKCS#1)' });
    return;
  }
  if (key.asymmetricKeyType !== 'rsa') {
    issues.push({ path: `${path}.privateKey`, message: `an RSA key is needed, not ${key.asymmetricKeyType ?? 'this key type'}` });
    return;
  }
  if (!cert.checkPrivateKey(key)) issues.push({ path: `${path}.privateKey`, message: 'the private key does not belong to the certificate' });
}
