// Proof that a relay request comes from an edge replica: an HMAC-SHA256 over the tunnel, the
// sending replica, a timestamp and a nonce, keyed with the secret every replica shares
// (tunnel.relay.secret). A relayed stream reaches a private app without Access, so the door must
// never open to anyone else: the MAC is compared in constant time, it is good for 30 s, and each
// nonce is accepted once (a captured request cannot be replayed). The isolation hop between auth
// hosts and isolation workers uses the same proof under its own domain string (src/isolation/workers),
// so a proof made for one can never pass as the other.
// Owns: the header format and its check. Must not: log the secret or the MAC.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const RELAY_AUTH_HEADER = 'moatless-relay-auth';
const MAX_SKEW_MS = 30_000;
const TUNNEL_RELAY = 'moatless-tunnel-relay-v1';

function mac(secret: string, domain: string, tunnel: string, from: string, ts: string, nonce: string): Buffer {
  return createHmac('sha256', secret).update(`${domain}\n${tunnel}\n${from}\n${ts}\n${nonce}`).digest();
}

/** The header value a replica sends with a relay request for `tunnel` (`domain`: what kind of relay). */
export function signRelay(secret: string, tunnel: string, from: string, now: number, domain = TUNNEL_RELAY): string {
  const ts = String(now);
  const nonce = randomBytes(16).toString('base64url');
  return `v1.${ts}.${nonce}.${mac(secret, domain, tunnel, from, ts, nonce).toString('base64url')}`;
}

export class RelayVerifier {
  readonly #secret: string;
  readonly #domain: string;
  /** Nonces seen, with when they may be forgotten (once their timestamp is out of the window). */
  readonly #seen = new Map<string, number>();

  constructor(secret: string, domain = TUNNEL_RELAY) {
    this.#secret = secret;
    this.#domain = domain;
  }

  /** null when the header proves a replica sent this request now; else why not (for the log). */
  check(header: string | undefined, tunnel: string, from: string, now: number): string | null {
    const m = /^v1\.(\d{1,15})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(header ?? '');
    if (!m) return 'missing or malformed relay proof';
    const [, ts, nonce, given] = m as unknown as [string, string, string, string];
    if (Math.abs(now - Number(ts)) > MAX_SKEW_MS) return 'relay proof expired (or the clocks differ by more than 30 s)';
    if (!timingSafeEqual(Buffer.from(given, 'base64url'), mac(this.#secret, this.#domain, tunnel, from, ts, nonce))) return 'relay proof does not verify';
    for (const [n, until] of this.#seen) if (until < now) this.#seen.delete(n);
    if (this.#seen.has(nonce)) return 'relay proof replayed';
    this.#seen.set(nonce, Number(ts) + MAX_SKEW_MS);
    return null;
  }
}
