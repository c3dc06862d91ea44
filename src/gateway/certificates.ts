// X.509 for TLS inspection, with @peculiar/x509 over Node's WebCrypto (no hand-written ASN.1):
// the gateway's root CA, and per-host leaf certificates signed by it. ECDSA P-256 throughout:
// fast to sign (a new host costs one signature, not a key generation — every leaf shares one key).
import { createHash, webcrypto, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
// @peculiar/x509 resolves its ASN.1 services through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

type Key = webcrypto.CryptoKey;
type KeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[1]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export interface Issuer {
  cert: x509.X509Certificate;
  keys: KeyPair;
}

function serial(): string {
  // Positive, 16 bytes of randomness (CA/B Forum asks for at least 64 bits).
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

export function newKeys(): Promise<KeyPair> {
  return webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as Promise<KeyPair>;
}

/** A self-signed root CA, valid for `years` from `now`. */
export async function createRootCa(name: string, now: number, years = 10): Promise<Issuer> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(), name, keys, signingAlgorithm: ALG,
    notBefore: new Date(now - DAY), notAfter: new Date(now + years * 365 * DAY),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys };
}

/** A server certificate for one host name or IP address, signed by the issuer. */
export async function createLeaf(issuer: Issuer, host: string, publicKey: Key, now: number, days = 7): Promise<x509.X509Certificate> {
  const san = isIP(host) ? { type: 'ip' as const, value: host } : { type: 'dns' as const, value: host };
  const notAfter = Math.min(now + days * DAY, issuer.cert.notAfter.getTime());
  return x509.X509CertificateGenerator.create({
    serialNumber: serial(), subject: `CN=${host.length <= 64 ? host : 'moatless-gateway'}`, issuer: issuer.cert.subject,
    notBefore: new Date(now - 3_600_000), notAfter: new Date(notAfter), signingKey: issuer.keys.privateKey, publicKey, signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([san]),
      await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey),
    ],
  });
}

export async function privateKeyPem(key: Key): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
}

export async function importIssuer(certPem: string, pkcs8: Buffer): Promise<Issuer> {
  const cert = new x509.X509Certificate(certPem);
  const privateKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, ALG, true, ['sign']);
  const publicKey = await cert.publicKey.export(ALG, ['verify']);
  return { cert, keys: { privateKey, publicKey } as KeyPair };
}

/** SHA-256 of the CA's SubjectPublicKeyInfo, base64: Chromium's --ignore-certificate-errors-spki-list value. */
export function spkiHash(cert: x509.X509Certificate): string {
  return createHash('sha256').update(Buffer.from(cert.publicKey.rawData)).digest('base64');
}
