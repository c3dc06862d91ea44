// Tunnel tokens: made here, stored only as their SHA-256, checked in constant time, and revoked
// with a change-feed notice so every edge replica cuts the connections at once.
// Must not: log or store a token.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Store, TunnelTokenRecord } from '../store/ports.ts';

export const TOKEN_REVOKED_TOPIC = 'tunnel.token.revoked';
export interface TokenRevokedNotice { tokenId: string }

export const TUNNEL_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const TOKEN_SHAPE = /^mlt_[A-Za-z0-9_-]{43}$/;

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export async function createTunnelToken(store: Store, o: { name: string; tunnel: string; now: number }): Promise<{ token: string; record: TunnelTokenRecord }> {
  const token = `mlt_${randomBytes(32).toString('base64url')}`;
  const record = { id: randomUUID(), name: o.name, tunnel: o.tunnel, hash: sha256(token), createdAt: o.now };
  await store.tunnels.tokens.create(record);
  return { token, record: { ...record, revokedAt: null } };
}

/** The live token record a presented bearer token belongs to, or null. */
export async function verifyTunnelToken(store: Store, presented: string): Promise<TunnelTokenRecord | null> {
  if (!TOKEN_SHAPE.test(presented)) return null;
  const hash = sha256(presented);
  const t = await store.tunnels.tokens.findByHash(hash);
  // The lookup is by hash; comparing again in constant time keeps the check independent of the index.
  if (!t || !timingSafeEqual(Buffer.from(t.hash, 'hex'), Buffer.from(hash, 'hex'))) return null;
  return t.revokedAt === null ? t : null;
}

/** Revokes every live token named `name`; the notice commits with the revocation. Returns how many. */
export function revokeTunnelTokens(store: Store, name: string, now: number): Promise<number> {
  return revokeWhere(store, (t) => t.name === name, now);
}

/** Revokes the token with this id (the admin API's DELETE); false when it is unknown or already revoked. */
export async function revokeTunnelToken(store: Store, id: string, now: number): Promise<boolean> {
  return (await revokeWhere(store, (t) => t.id === id, now)) > 0;
}

async function revokeWhere(store: Store, match: (t: TunnelTokenRecord) => boolean, now: number): Promise<number> {
  return store.transaction(async (tx) => {
    let n = 0;
    for (const t of await tx.tunnels.tokens.list()) {
      if (!match(t) || !(await tx.tunnels.tokens.revoke(t.id, now))) continue;
      await tx.changes.publish(TOKEN_REVOKED_TOPIC, { tokenId: t.id } satisfies TokenRevokedNotice);
      n++;
    }
    return n;
  });
}
