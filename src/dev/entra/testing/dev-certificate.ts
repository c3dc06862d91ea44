// Test support: a fresh self-signed RSA certificate and its private key, made with the installed
// `openssl` at test time so no private key is ever committed. Must not be imported by production
// code.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DevCertificate {
  certificatePem: string;
  privateKeyPem: string;
}

/** `openssl req -x509 -newkey rsa:2048 -nodes`, valid for `days` (default 1). */
export function createDevCertificate(commonName = 'moatless-test', days = 1): DevCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'moatless-cert-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath,
      '-days', String(days), '-subj', `/CN=${commonName}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    return { certificatePem: readFileSync(certPath, 'utf8'), privateKeyPem: readFileSync(keyPath, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
