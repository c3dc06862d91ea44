// SCIM bearer tokens: minting (`mlscim_` + 32 random bytes, base64url), hashing (SHA-256; only the
// hash is stored) and verifying a presented token in constant time. Owns: the token format and the
// directory a token belongs to. Must not: log or return a token after it was printed once.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { DirectoryRecord, ScimTokenRecord, Store } from '../store/ports.ts';

export const TOKEN_PREFIX = 'mlscim_';
const TOKEN_SHAPE = /^mlscim_[A-Za-z0-9_-]{43}$/;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** The directory by name, created when missing (names are unique case-insensitively). */
export async function ensureDirectory(store: Store, name: string, now: number): Promise<{ directory: DirectoryRecord; created: boolean }> {
  const existing = await store.directory.directories.getByName(name);
  if (existing) return { directory: existing, created: false };
  const directory = { id: randomUUID(), name, createdAt: now };
  await store.directory.directories.create(directory);
  return { directory, created: true };
}

export async function createScimToken(store: Store, input: { name: string; directoryName: string; now: number }): Promise<{ token: string; record: ScimTokenRecord; directory: DirectoryRecord }> {
  const { directory } = await ensureDirectory(store, input.directoryName, input.now);
  const token = newToken();
  const t = { id: randomUUID(), directoryId: directory.id, name: input.name, hash: hashToken(token), createdAt: input.now };
  await store.directory.tokens.create(t);
  return { token, record: { ...t, lastUsedAt: null, revokedAt: null }, directory };
}

/**
 * The live token record for an `Authorization` header value, or null. The lookup is by hash; the
 * hash is then compared in constant time anyway so a store that matched loosely (collation,
 * prefix index) can never admit a different token.
 */
export async function verifyBearer(store: Store, authorization: string | undefined, now: number): Promise<ScimTokenRecord | null> {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
  const token = m?.[1];
  if (token === undefined || !TOKEN_SHAPE.test(token)) return null;
  const hash = hashToken(token);
  const record = await store.directory.tokens.findByHash(hash);
  if (!record || record.revokedAt !== null) return null;
  const a = Buffer.from(record.hash, 'utf8');
  const b = Buffer.from(hash, 'utf8');
  if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
  if (record.lastUsedAt === null || now - record.lastUsedAt > 60_000) await store.directory.tokens.touch(record.id, now);
  return record;
}
