// Service tokens (machine clients): a client id and secret sent as headers, compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';

export const CLIENT_ID_HEADER = 'moatless-access-client-id';
export const CLIENT_SECRET_HEADER = 'moatless-access-client-secret';

interface TokenEntry {
  name: string;
  secretHash: Buffer;
  expiresAt: number | null;
}

export class ServiceTokens {
  readonly #byClientId = new Map<string, TokenEntry>();

  constructor(tokens: readonly { name: string; clientId: string; secret: string; expiresAt?: string }[]) {
    for (const t of tokens) {
      this.#byClientId.set(t.clientId, { name: t.name, secretHash: sha256(t.secret), expiresAt: t.expiresAt ? Date.parse(t.expiresAt) : null });
    }
  }

  /**
   * The token's name when both headers are present and valid, else null. Hashing both sides first
   * makes the comparison constant-time whatever the secrets' lengths.
   */
  verify(clientId: string | undefined, secret: string | undefined, now: number): string | null {
    if (!clientId || !secret || clientId.length > 256 || secret.length > 1024) return null;
    const entry = this.#byClientId.get(clientId);
    const candidate = sha256(secret);
    if (!entry) {
      timingSafeEqual(candidate, candidate); // same work for unknown ids
      return null;
    }
    if (!timingSafeEqual(candidate, entry.secretHash)) return null;
    if (entry.expiresAt !== null && now >= entry.expiresAt) return null;
    return entry.name;
  }

  get names(): string[] {
    return [...this.#byClientId.values()].map((e) => e.name);
  }
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
