// Signed assertions are reused per session until shortly before they expire: signing ES256 on every
// request would cost more than the whole rest of the request path.
import type { Identity } from '../identity/identity.ts';
import type { SessionRecord } from '../store/ports.ts';
import { signAssertion, type AssertionClaims } from './assertion.ts';
import type { AccessContext } from './context.ts';
import type { AccessRuntime, CompiledApp } from './runtime.ts';
import { createHash } from 'node:crypto';

const LIFETIME_MS = 10 * 60_000;
const RENEW_BEFORE_MS = 60_000;
const MAX_ENTRIES = 200_000;

interface Cached {
  jwt: string;
  expMs: number;
  kid: string;
}

export class AssertionCache {
  readonly #ctx: AccessContext;
  readonly #cache = new Map<string, Cached>();

  constructor(ctx: AccessContext) {
    this.#ctx = ctx;
  }

  forSession(rt: AccessRuntime, app: CompiledApp, session: SessionRecord, id: Identity): string {
    return this.#get(`${session.id}:${app.id}`, Math.min(session.expiresAt, this.#ctx.now() + LIFETIME_MS), (iat, exp) => {
      const c: AssertionClaims = {
        iss: rt.authOrigin, aud: [app.audience], sub: id.userKey, email: id.email, idp: id.idp, type: 'app', iat, nbf: iat, exp,
        // A stable handle for the identity endpoint that reveals nothing about the session secret.
        identity_nonce: createHash('sha256').update(`nonce:${session.id}`).digest('base64url').slice(0, 22),
      };
      if (id.name) c.name = id.name;
      if (app.config.assertion.includeGroups) c.groups = id.groupNames;
      if (app.config.assertion.claims.length > 0) {
        const custom: Record<string, unknown> = {};
        for (const k of app.config.assertion.claims) if (k in id.claims) custom[k] = id.claims[k];
        c.custom = custom;
      }
      return c;
    });
  }

  forServiceToken(rt: AccessRuntime, app: CompiledApp, token: string): string {
    return this.#get(`svc:${token}:${app.id}`, this.#ctx.now() + LIFETIME_MS, (iat, exp) => ({
      iss: rt.authOrigin, aud: [app.audience], sub: '', email: '', idp: 'service_token', type: 'app', iat, nbf: iat, exp,
      identity_nonce: '', custom: { common_name: token },
    }));
  }

  #get(key: string, expMs: number, claims: (iat: number, exp: number) => AssertionClaims): string {
    const now = this.#ctx.now();
    const active = this.#ctx.keys.active;
    const hit = this.#cache.get(key);
    if (hit && hit.kid === active.kid && hit.expMs - now > RENEW_BEFORE_MS) return hit.jwt;
    const jwt = signAssertion(claims(Math.floor(now / 1000), Math.floor(expMs / 1000)), active);
    if (this.#cache.size >= MAX_ENTRIES) this.#cache.clear();
    this.#cache.set(key, { jwt, expMs, kid: active.kid });
    return jwt;
  }
}
