// Session secrets: 256 random bits handed to the browser; only their SHA-256 is stored, so a leaked
// database cannot be replayed as cookies.
import { hash, randomBytes } from 'node:crypto';

export function newSessionSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function sessionIdOf(secret: string): string {
  // One-shot hash: no Hash object per request (this runs on every proxied request).
  return hash('sha256', secret, 'hex');
}

/** Cheap shape check before any hashing or lookup: 43 base64url characters. */
export function looksLikeSessionSecret(value: string): boolean {
  return value.length === 43 && /^[A-Za-z0-9_-]+$/.test(value);
}
