// The gateway's root CA, generated on first start and kept in the store (kv `gateway/ca`) so every
// replica serves the same one. The private key is encrypted at rest with AES-256-GCM under a key
// derived from `gateway.caKeySecret`, or — when that is not configured — from a 32-byte key file
// `gateway-ca.key` generated (mode 0600) in the data directory. Losing that secret or file means a
// new CA on the next start (devices must install it again); rotation is documented in docs/gateway.md.
import { createCipheriv, createDecipheriv, hash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { KeyValueStore } from '../store/ports.ts';
import { createRootCa, importIssuer, type Issuer } from './certificates.ts';

const NS = 'gateway';
const KEY = 'ca';

interface Stored {
  certPem: string;
  /** base64 of iv(12) | tag(16) | ciphertext of the PKCS#8 private key. */
  key: string;
}

/** The 32-byte encryption key: from the configured secret, or from (a new) key file. */
export function caEncryptionKey(secret: string | null, keyFile: string): Buffer {
  if (secret !== null) return hash('sha256', `moatless-gateway-ca:${secret}`, 'buffer');
  if (!existsSync(keyFile)) writeFileSync(keyFile, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  const hex = readFileSync(keyFile, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`${keyFile} is not a gateway CA key file (64 hex characters)`);
  return Buffer.from(hex, 'hex');
}

function seal(key: Buffer, plain: Buffer): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), data]).toString('base64');
}

function open(key: Buffer, sealed: string): Buffer {
  const b = Buffer.from(sealed, 'base64');
  const d = createDecipheriv('aes-256-gcm', key, b.subarray(0, 12));
  d.setAuthTag(b.subarray(12, 28));
  return Buffer.concat([d.update(b.subarray(28)), d.final()]);
}

function parseStored(text: string): Stored {
  const v: unknown = JSON.parse(text);
  if (typeof v !== 'object' || v === null || typeof (v as Stored).certPem !== 'string' || typeof (v as Stored).key !== 'string') {
    throw new Error('the stored gateway CA is malformed');
  }
  return v as Stored;
}

/** The CA certificate (PEM) every replica serves, or null before the gateway first started; never the key. */
export async function storedCaCertificate(kv: KeyValueStore): Promise<string | null> {
  const existing = await kv.get(NS, KEY);
  return existing === null ? null : parseStored(existing).certPem;
}

/** The stored CA, or a new one stored now. A wrong key fails loudly rather than minting a new CA. */
export async function loadOrCreateCa(kv: KeyValueStore, key: Buffer, now: number): Promise<Issuer> {
  const existing = await kv.get(NS, KEY);
  if (existing !== null) {
    const s = parseStored(existing);
    let pkcs8: Buffer;
    try {
      pkcs8 = open(key, s.key);
    } catch (err) {
      throw new Error('cannot decrypt the gateway CA key: gateway.caKeySecret (or the gateway-ca.key file) changed', { cause: err });
    }
    return importIssuer(s.certPem, pkcs8);
  }
  const ca = await createRootCa('CN=Moatless Gateway CA, O=Moatless', now);
  const pkcs8 = Buffer.from(await globalThis.crypto.subtle.exportKey('pkcs8', ca.keys.privateKey));
  const stored: Stored = { certPem: ca.cert.toString('pem'), key: seal(key, pkcs8) };
  // Another replica may have raced us: claim() keeps the first one, which everyone then loads.
  if (!(await kv.claim(NS, KEY, JSON.stringify(stored), Number.MAX_SAFE_INTEGER))) return loadOrCreateCa(kv, key, now);
  return ca;
}
