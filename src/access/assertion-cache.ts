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

/** A session's headers for one app, built around one cached assertion; valid while that assertion is. */
interface SessionHeaders {
  app: CompiledApp;
  assertion: Cached;
  headers: readonly string[];
}

export class AssertionCache {
  readonly #ctx: AccessContext;
  readonly #cache = new Map<string, Cached>();
  /**
   * Per session record (the session cache hands out the same object until it reloads it): its app's
   * identity headers, so a request on a known session builds no key string, no header values and no
   * pairs (issue 17). An app session belongs to one app; a reloaded app config is a new object.
   */
  readonly #bySession = new WeakMap<SessionRecord, SessionHeaders>();

  constructor(ctx: AccessContext) {
    this.#ctx = ctx;
  }

  /**
   * The headers `build` makes around the session's assertion, built again only when the assertion is
   * renewed (signing key rotated, near expiry) or the app's config object changed.
   */
  sessionHeaders(rt: AccessRuntime, app: CompiledApp, session: SessionRecord, id: Identity, build: (app: CompiledApp, id: Identity, jwt: string) => readonly string[]): readonly string[] {
    const memo = this.#bySession.get(session);
    if (memo && memo.app === app && this.#fresh(memo.assertion, this.#ctx.now())) return memo.headers;
    const assertion = this.#forSession(rt, app, session, id);
    const headers = build(app, id, assertion.jwt);
    this.#bySession.set(session, { app, assertion, headers });
    return headers;
  }

  forSession(rt: AccessRuntime, app: CompiledApp, session: SessionRecord, id: Identity): string {
    return this.#forSession(rt, app, session, id).jwt;
  }

  #forSession(rt: AccessRuntime, app: CompiledApp, session: SessionRecord, id: Identity): Cached {
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
    })).jwt;
  }

  /** Signed with the active key and not yet due for renewal. */
  #fresh(c: Cached, now: number): boolean {
    return c.kid === this.#ctx.keys.active.kid && c.expMs - now > RENEW_BEFORE_MS;
  }

  #get(key: string, expMs: number, claims: (iat: number, exp: number) => AssertionClaims): Cached {
    const now = this.#ctx.now();
    const hit = this.#cache.get(key);
    if (hit && this.#fresh(hit, now)) return hit;
    const active = this.#ctx.keys.active;
    const made = { jwt: signAssertion(claims(Math.floor(now / 1000), Math.floor(expMs / 1000)), active), expMs, kid: active.kid };
    if (this.#cache.size >= MAX_ENTRIES) this.#cache.clear();
    this.#cache.set(key, made);
    return made;
  }
}
