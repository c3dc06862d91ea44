// The sessions domain: global sessions on the auth host, app sessions per protected host, a cache in
// front of the store, and revocation that reaches every replica (through the store's change feed).
// Every surface (Access now, Gateway and isolation later) resolves sessions through this service.
import type { SessionRecord, Store } from '../store/ports.ts';
import type { Identity } from './identity.ts';
import { parseStoredIdentity } from './identity-schema.ts';
import { newSessionSecret, sessionIdOf, looksLikeSessionSecret } from './session-tokens.ts';

export const REVOKED_TOPIC = 'sessions.revoked';

export interface RevocationNotice {
  userKeys: string[];
  emails: string[];
  sessionIds: string[];
  appId?: string;
  reason: string;
}

/** What the IdP calls this sign-in: the ID token's `sid` (if it sent one) and `sub`. */
export interface IdpSession {
  sid?: string;
  sub?: string;
}

/** A session whose stored identity has been validated: what every caller gets. */
export interface Session extends SessionRecord {
  identity: Identity;
}

/** A row from the store as a Session, or null when its identity JSON does not validate (= no session). */
function decode(record: SessionRecord | null): Session | null {
  const identity = record ? parseStoredIdentity(record.identity) : null;
  return record && identity ? { ...record, identity } : null;
}

/** What a cookie's session must be: a global sign-in, or an app session of that app. */
export type SessionExpectation = { kind: 'global' } | { kind: 'app'; appId: string };

/** The record when it is live and of the expected kind (and app), else null. */
function live(r: Session, expect: SessionExpectation, now: number): Session | null {
  if (r.revokedAt !== null || r.expiresAt <= now) return null;
  if (r.kind !== expect.kind) return null;
  if (expect.kind === 'app' && r.appId !== expect.appId) return null;
  return r;
}

interface CacheEntry {
  record: Session;
  loadedAt: number;
  /** Set on every hit, cleared by the evictor: a second chance (CLOCK) instead of reordering on hits. */
  used: boolean;
}

export interface SessionServiceDeps {
  store: Store;
  now: () => number;
  cacheTtlMs: number;
  /** Most sessions kept in memory (~4 KB each); the least recently used are dropped first. */
  maxCacheEntries?: number;
}

export const DEFAULT_MAX_CACHE_ENTRIES = 100_000;
/** Emails per revocation notice: keeps each change-log row small. */
const NOTICE_EMAILS = 500;
const EVICT_SCAN = 32;

export class SessionService {
  readonly #store: Store;
  readonly #now: () => number;
  readonly #ttl: number;
  readonly #max: number;
  readonly #cache = new Map<string, CacheEntry>();
  readonly #byUser = new Map<string, Set<string>>();
  /** Bumped on every revocation seen; a load that started before a bump must not be cached. */
  #epoch = 0;
  readonly #listeners = new Set<(n: RevocationNotice) => void>();
  readonly #resyncListeners = new Set<() => void>();
  readonly #signInListeners = new Set<(s: Session) => void>();
  readonly #unsubscribe: Array<() => void> = [];

  constructor(deps: SessionServiceDeps) {
    this.#store = deps.store;
    this.#now = deps.now;
    this.#ttl = deps.cacheTtlMs;
    this.#max = Math.max(1, Math.floor(deps.maxCacheEntries ?? DEFAULT_MAX_CACHE_ENTRIES));
    this.#unsubscribe.push(
      deps.store.changes.subscribe(REVOKED_TOPIC, (payload) => this.#applyNotice(payload as RevocationNotice)),
      // The feed was down: it replayed what it missed, but forget everything cached anyway and let
      // live connections be re-checked against the store.
      deps.store.changes.onReconnect(() => {
        this.flushCache();
        for (const l of this.#resyncListeners) l();
      }),
    );
  }

  /** Called after the change feed recovered from an outage (caches were flushed first). */
  onResync(listener: () => void): () => void {
    this.#resyncListeners.add(listener);
    return () => this.#resyncListeners.delete(listener);
  }

  /**
   * Whether cached sessions may be trusted: only while the change feed is known to have delivered
   * every revocation up to its deadline. Otherwise every request reads the store.
   */
  get cacheTrusted(): boolean {
    return this.#store.changes.isFresh();
  }

  close(): void {
    for (const u of this.#unsubscribe) u();
  }

  /** Called for every revocation (local or from another replica), after the cache is cleared. */
  onRevoked(listener: (n: RevocationNotice) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** `idpSession`: the ID token's `sid` and `sub`, so the IdP can end this sign-in later (idp-logout.ts). */
  async createGlobal(input: { identity: Identity; durationMs: number; ip: string | null; userAgent: string | null; idpSession?: IdpSession }): Promise<{ secret: string; record: Session }> {
    const made = await this.#create('global', null, null, input.identity, input.durationMs, input.ip, input.userAgent, input.idpSession);
    for (const l of this.#signInListeners) l(made.record);
    return made;
  }

  /** Called after every new sign-in (global session), e.g. to bind its address (gateway/ip-binding.ts). */
  onSignIn(listener: (s: Session) => void): () => void {
    this.#signInListeners.add(listener);
    return () => this.#signInListeners.delete(listener);
  }

  async createApp(parent: SessionRecord, appId: string, durationMs: number, identity: Identity, ip: string | null, userAgent: string | null): Promise<{ secret: string; record: Session }> {
    // An app session never outlives the sign-in it came from.
    const capped = Math.min(durationMs, parent.expiresAt - this.#now());
    return this.#create('app', parent.id, appId, identity, capped, ip, userAgent);
  }

  async #create(kind: 'global' | 'app', parentId: string | null, appId: string | null, identity: Identity, durationMs: number, ip: string | null, userAgent: string | null, idp?: IdpSession) {
    const secret = newSessionSecret();
    const now = this.#now();
    const record: Session = {
      id: sessionIdOf(secret), kind, parentId, appId, userKey: identity.userKey, email: identity.email.toLowerCase(), idp: identity.idp,
      identity, createdAt: now, expiresAt: now + Math.max(0, durationMs), lastSeenAt: now, ip, userAgent: userAgent?.slice(0, 512) ?? null,
      revokedAt: null, revokedReason: null, idpSid: idp?.sid ?? null, idpSub: idp?.sub ?? null,
    };
    await this.#store.sessions.create(record);
    return { secret, record };
  }

  /**
   * The live session for a cookie value, or null (unknown, expired, revoked, wrong kind or app).
   * Throws only when the store fails; callers deny in that case (fail closed).
   */
  async resolve(secret: string, expect: SessionExpectation): Promise<Session | null> {
    return this.resolveSoon(secret, expect);
  }

  /**
   * resolve() answered without a promise when the cache can answer (the proxy's hot path: no promise
   * and no microtask per request, issue 17); a promise when the store must be read. The checks are
   * resolve's, in one place (`live`). A failing store rejects the promise; nothing here throws.
   */
  resolveSoon(secret: string, expect: SessionExpectation): Session | null | Promise<Session | null> {
    if (!looksLikeSessionSecret(secret)) return null;
    const id = sessionIdOf(secret);
    const now = this.#now();
    const entry = this.#cache.get(id);
    if (entry && now - entry.loadedAt <= this.#ttl && this.#store.changes.isFresh()) {
      entry.used = true;
      return live(entry.record, expect, now);
    }
    return this.#load(id, expect, now);
  }

  async #load(id: string, expect: SessionExpectation, now: number): Promise<Session | null> {
    const epoch = this.#epoch;
    const record = decode(await this.#store.sessions.get(id));
    if (!record) return null;
    if (epoch === this.#epoch) this.#remember({ record, loadedAt: now, used: false });
    return live(record, expect, now);
  }

  /** The parent sign-in of an app session must still be alive too (logout ends everything). */
  async resolveById(id: string): Promise<Session | null> {
    const record = decode(await this.#store.sessions.get(id));
    if (!record || record.revokedAt !== null || record.expiresAt <= this.#now()) return null;
    return record;
  }

  async revokeUser(sel: { userKey?: string; email?: string }, reason: string): Promise<number> {
    const email = sel.email?.toLowerCase();
    return this.#store.transaction(async (tx) => {
      const { revoked, userKeys } = await tx.sessions.revokeUser({ userKey: sel.userKey, email }, reason, this.#now());
      const keys = [...new Set([...(sel.userKey ? [sel.userKey] : []), ...userKeys])];
      await tx.changes.publish(REVOKED_TOPIC, { userKeys: keys, emails: email ? [email] : [], sessionIds: [], reason } satisfies RevocationNotice);
      return revoked;
    });
  }

  /**
   * Many users at once (a SCIM PATCH touching 100 members): one row update per user, but a single
   * notice for all of them. With `notify: 'if-revoked'` there is no notice when nothing was live
   * (no replica can then hold a valid cached session of theirs); callers that revoked the rows
   * themselves inside a transaction (SCIM deprovisioning) need `'always'`.
   */
  async revokeUsers(emails: readonly string[], reason: string, notify: 'always' | 'if-revoked' = 'always'): Promise<number> {
    const unique = [...new Set(emails.map((e) => e.trim().toLowerCase()).filter(Boolean))];
    // One transaction: on SQLite every statement outside one is its own commit (a disk sync), and
    // the notice commits with the revocation, so no error can follow a committed revocation.
    return this.#store.transaction(async (tx) => {
      let revoked = 0;
      const hit: string[] = [];
      for (const email of unique) {
        const r = await tx.sessions.revokeUser({ email }, reason, this.#now());
        revoked += r.revoked;
        if (r.revoked > 0 || notify === 'always') hit.push(email);
      }
      // Every session carries its email, so emails alone reach every cache and open connection.
      for (let i = 0; i < hit.length; i += NOTICE_EMAILS) {
        await tx.changes.publish(REVOKED_TOPIC, { userKeys: [], emails: hit.slice(i, i + NOTICE_EMAILS), sessionIds: [], reason } satisfies RevocationNotice);
      }
      return revoked;
    });
  }

  /** Logout: the sign-in and every app session it produced. */
  async revokeFamily(globalId: string, reason: string): Promise<void> {
    await this.#store.transaction(async (tx) => {
      await tx.sessions.revoke(globalId, reason, this.#now());
      await tx.changes.publish(REVOKED_TOPIC, { userKeys: [], emails: [], sessionIds: [globalId], reason } satisfies RevocationNotice);
    });
  }

  /**
   * IdP-initiated logout (back- or front-channel): the sign-ins through `idp` with that IdP session
   * id and/or subject, with their app sessions, on every replica. Returns how many sign-ins ended.
   */
  async revokeIdpSession(sel: { idp: string; sid?: string; sub?: string }, reason: string): Promise<number> {
    return this.#store.transaction(async (tx) => {
      const ids = await tx.sessions.revokeIdpSessions(sel, reason, this.#now());
      if (ids.length > 0) await tx.changes.publish(REVOKED_TOPIC, { userKeys: [], emails: [], sessionIds: ids, reason } satisfies RevocationNotice);
      return ids.length;
    });
  }

  async revokeApp(appId: string, reason: string): Promise<number> {
    return this.#store.transaction(async (tx) => {
      const n = await tx.sessions.revokeApp(appId, reason, this.#now());
      await tx.changes.publish(REVOKED_TOPIC, { userKeys: [], emails: [], sessionIds: [], appId, reason } satisfies RevocationNotice);
      return n;
    });
  }

  flushCache(): void {
    this.#epoch++;
    this.#cache.clear();
    this.#byUser.clear();
  }

  get cacheSize(): number {
    return this.#cache.size;
  }

  #applyNotice(n: RevocationNotice): void {
    this.#epoch++;
    const emails = new Set(n.emails);
    const drop = new Set(n.sessionIds);
    for (const key of n.userKeys) for (const id of this.#byUser.get(key) ?? []) drop.add(id);
    if (emails.size > 0 || n.appId !== undefined || n.sessionIds.length > 0) {
      for (const [id, e] of this.#cache) {
        const r = e.record;
        if (emails.has(r.email) || (n.appId !== undefined && r.appId === n.appId) || (r.parentId !== null && drop.has(r.parentId))) drop.add(id);
      }
    }
    for (const id of drop) this.#forget(id);
    for (const l of this.#listeners) l(n);
  }

  #remember(entry: CacheEntry): void {
    // Re-insert rather than overwrite, so a reloaded entry moves to the young end of the Map.
    this.#forget(entry.record.id);
    if (this.#cache.size >= this.#max) this.#evictOne();
    this.#cache.set(entry.record.id, entry);
    let set = this.#byUser.get(entry.record.userKey);
    if (!set) this.#byUser.set(entry.record.userKey, (set = new Set()));
    set.add(entry.record.id);
  }

  /**
   * Drops the oldest entry not used since the evictor last passed it (CLOCK): the hit path only sets
   * a flag, and a busy session is moved to the young end instead of being dropped. The scan is
   * bounded so a cache full of busy sessions never stalls a request; then the oldest goes anyway.
   */
  #evictOne(): void {
    for (let step = Math.min(EVICT_SCAN, this.#cache.size); step > 0; step--) {
      const [id, e] = this.#cache.entries().next().value as [string, CacheEntry];
      if (!e.used) return this.#forget(id);
      e.used = false;
      this.#cache.delete(id);
      this.#cache.set(id, e);
    }
    const oldest = this.#cache.keys().next();
    if (!oldest.done) this.#forget(oldest.value);
  }

  #forget(id: string): void {
    const e = this.#cache.get(id);
    if (!e) return;
    this.#cache.delete(id);
    const set = this.#byUser.get(e.record.userKey);
    set?.delete(id);
    if (set && set.size === 0) this.#byUser.delete(e.record.userKey);
  }
}
