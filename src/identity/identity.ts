// The verified identity of a signed-in user, frozen at sign-in (Cloudflare's "identity selectors are
// checked at login"). The policy engine's IdentityFacts is the same shape.
import type { IdentityFacts } from '../policy/types.ts';

export type Identity = IdentityFacts;

/** What an identity provider adapter returns after a successful sign-in. */
export interface SignInResult {
  identity: Identity;
  /** Seconds since epoch at which the IdP authenticated the user (`auth_time`), if known. */
  authTime?: number;
  /** The ID token's `sid` (IdP session id) and `sub`, kept for IdP-initiated logout. */
  idpSession?: { sid?: string; sub?: string };
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
