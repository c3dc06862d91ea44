// API tokens for automation: scoped (read | write), always expiring, stored only as a SHA-256.
// Owns: the token format, creation and verification. Must not: log or return a token after
// creation, or accept an expired or revoked one.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { AdminTokenRecord, Store } from '../store/ports.ts';

export const ADMIN_TOKEN_PREFIX = 'mla_';
const TOKEN_RE = /^mla_[A-Za-z0-9_-]{43}$/;
/** Touching lastUsedAt on every call would be a write per request; once a minute is enough. */
const TOUCH_EVERY_MS = 60_000;

export const hashAdminToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export async function createAdminToken(
  store: Pick<Store, 'admin'>,
  input: { name: string; scope: 'read' | 'write'; expiresInMs: number; now: number },
): Promise<{ token: string; record: Omit<AdminTokenRecord, 'hash'> }> {
  const token = ADMIN_TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const record = { id: randomUUID(), name: input.name, scope: input.scope, createdAt: input.now, expiresAt: input.now + input.expiresInMs };
  await store.admin.tokens.create({ ...record, hash: hashAdminToken(token) });
  return { token, record: { ...record, lastUsedAt: null, revokedAt: null } };
}

/** The live token a `Bearer mla_…` header names, or null (unknown, malformed, revoked, expired). */
export async function verifyAdminToken(store: Pick<Store, 'admin'>, bearer: string, now: number): Promise<AdminTokenRecord | null> {
  if (!TOKEN_RE.test(bearer)) return null;
  const hash = hashAdminToken(bearer);
  const t = await store.admin.tokens.findByHash(hash);
  if (!t || !timingSafeEqual(Buffer.from(t.hash), Buffer.from(hash))) return null;
  if (t.revokedAt !== null || t.expiresAt <= now) return null;
  if (t.lastUsedAt === null || now - t.lastUsedAt > TOUCH_EVERY_MS) await store.admin.tokens.touch(t.id, now);
  return t;
}
