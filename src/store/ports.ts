// The store's ports: every repository interface Moatless persists through, with the contract each
// method keeps. Owns: shapes and contracts only. Must not: mention SQL, a driver, or a dialect
// beyond the informational `dialect` tag. Both adapters pass the one suite in ./contract/.
import type { AdminStore } from './ports-admin.ts';
import type { DirectoryStore } from './ports-directory.ts';
import type { GatewayStore } from './ports-gateway.ts';

export type * from './ports-admin.ts';
export type * from './ports-directory.ts';
export type * from './ports-gateway.ts';
import type { TunnelStore } from './ports-tunnel.ts';

export type * from './ports-admin.ts';
export type * from './ports-directory.ts';
export type * from './ports-tunnel.ts';

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  readonly sessions: SessionStore;
  readonly keys: SigningKeyStore;
  readonly accessLog: AccessLogStore;
  readonly kv: KeyValueStore;
  readonly directory: DirectoryStore;
  readonly admin: AdminStore;
  readonly gateway: GatewayStore;
  readonly tunnels: TunnelStore;
  readonly changes: ChangeFeed;
  /**
   * Runs fn atomically: every repository call made through `tx` commits or rolls back together;
   * a throwing fn rolls back and its error is rethrown. Calls made through the outer store while
   * fn runs wait until the transaction ends, so fn must never await them (it would deadlock).
   */
  transaction<T>(fn: (tx: TxStore) => Promise<T>): Promise<T>;
  /** Stops the change-feed listener and closes connections. Idempotent. */
  close(): Promise<void>;
}

export type TxStore = Omit<Store, 'transaction' | 'changes' | 'close'> & { readonly changes: TxChanges };

export interface SessionRecord {
  /** sha256 hex of the session secret — the secret itself is never stored. */
  id: string;
  kind: 'global' | 'app';
  /** App sessions point at their global session. */
  parentId: string | null;
  appId: string | null;
  /** Stable identity key (`tid:oid` for Entra, `iss|sub` otherwise). */
  userKey: string;
  /** Lower-cased by the store on write and on every lookup. */
  email: string;
  idp: string;
  /** Frozen identity JSON (groups, amr, acrs, claims) — opaque to the store, round-trips as JSON. */
  identity: unknown;
  createdAt: number;
  expiresAt: number;
  lastSeenAt: number;
  ip: string | null;
  userAgent: string | null;
  revokedAt: number | null;
  revokedReason: string | null;
  /** The IdP's session id (`sid` in the ID token), for IdP-initiated logout; global sessions only. */
  idpSid?: string | null;
  /** The ID token's `sub` (pairwise at Entra, so not the userKey), for back-channel logout by subject. */
  idpSub?: string | null;
}

/** Where a page of sessions ends: the last row's createdAt and id. */
export interface SessionPageKey { createdAt: number; id: string }

export interface SessionStore {
  /** Inserts a session. Throws StoreConflictError('id') if the id exists. */
  create(s: SessionRecord): Promise<void>;
  /** The session by id, including revoked and expired ones (the caller decides), or null. */
  get(id: string): Promise<SessionRecord | null>;
  /** Moves lastSeenAt forward; never backwards (concurrent requests may touch out of order). */
  touch(id: string, lastSeenAt: number): Promise<void>;
  /**
   * Revokes the session and every app session whose parentId is it. True if the session itself
   * existed and was not revoked before; already-revoked sessions keep their first reason and time.
   */
  revoke(id: string, reason: string, at: number): Promise<boolean>;
  /**
   * Revokes every unrevoked session matching userKey OR email (at least one must be given), and the
   * app sessions of those. Returns how many were revoked and the distinct userKeys they belonged to.
   */
  revokeUser(
    sel: { userKey?: string; email?: string },
    reason: string,
    at: number,
  ): Promise<{ revoked: number; userKeys: string[] }>;
  /**
   * How many sessions, in any state (active, expired, revoked, not yet purged), match userKey OR
   * email (case-insensitively); at least one must be given. Whether Moatless has seen this user.
   */
  countForUser(sel: { userKey?: string; email?: string }): Promise<number>;
  /**
   * IdP-initiated logout: revokes the unrevoked global sessions signed in through `idp` whose IdP
   * session id is `sid` and/or whose subject is `sub` (every given one must match; at least one
   * must be given), with their app sessions. Returns the ids of the global sessions revoked.
   */
  revokeIdpSessions(sel: { idp: string; sid?: string; sub?: string }, reason: string, at: number): Promise<string[]>;
  /** Revokes every unrevoked app session of appId; returns how many. */
  revokeApp(appId: string, reason: string, at: number): Promise<number>;
  /**
   * Sessions neither revoked nor expired at `now`, matching every given filter, newest first
   * (createdAt desc, then id), with `total` counted before paging.
   */
  listActive(
    filter: { userKey?: string; email?: string; appId?: string; limit: number; offset: number },
    now: number,
  ): Promise<{ total: number; items: SessionRecord[] }>;
  /**
   * One page of listActive's rows in its order, starting after `after` (the previous page's last
   * row): keyset paging, so a deep page costs what the first does, sessions created meanwhile
   * neither repeat nor hide a row, and nothing is counted.
   */
  pageActive(
    filter: { userKey?: string; email?: string; appId?: string; after?: SessionPageKey; limit: number },
    now: number,
  ): Promise<SessionRecord[]>;
  /** Deletes sessions that expired before `before` or were revoked before it; returns how many. */
  purgeExpired(before: number): Promise<number>;
}

export interface SigningKeyRecord {
  kid: string;
  alg: 'ES256';
  /** JSON text; the store neither parses nor logs it. */
  privateJwk: string;
  publicJwk: string;
  createdAt: number;
  activatesAt: number;
  retiresAt: number;
  expiresAt: number;
}

export interface SigningKeyStore {
  /** Every stored key, oldest activation first. */
  list(): Promise<SigningKeyRecord[]>;
  /** Inserts a key. Throws StoreConflictError('kid') if the kid exists. */
  insert(k: SigningKeyRecord): Promise<void>;
  /** Deletes keys whose expiresAt ≤ now; returns how many. */
  deleteExpired(now: number): Promise<number>;
}

export interface AccessLogEntry {
  time: number;
  requestId: string;
  userKey: string | null;
  email: string | null;
  appId: string | null;
  host: string;
  path: string;
  method: string;
  action: string;
  policy: string | null;
  reasons: string[];
  status: number;
  durationMs: number;
  clientIp: string;
}

export interface AccessLogQuery {
  since?: number;
  until?: number;
  email?: string;
  appId?: string;
  action?: string;
  limit: number;
  /** Cursor: only entries with time < before (pass the last page's oldest time). */
  before?: number;
}

export interface AccessLogStore {
  /** Inserts the entries in one transaction (all or none). */
  append(entries: AccessLogEntry[]): Promise<void>;
  /** Entries matching every given field (since ≤ time ≤ until), newest first, at most limit. */
  query(q: AccessLogQuery): Promise<AccessLogEntry[]>;
  /** Deletes entries with time < `time`; returns how many. */
  purgeBefore(time: number): Promise<number>;
  /**
   * Entries with since ≤ time ≤ until counted per action and time bucket (the bucket's start:
   * time − time mod bucketMs), oldest bucket first. Buckets with no entries are absent.
   */
  histogram(q: AccessLogHistogramQuery): Promise<AccessLogBucket[]>;
}

export interface AccessLogHistogramQuery {
  since: number;
  until: number;
  bucketMs: number;
}

export interface AccessLogBucket {
  bucket: number;
  action: string;
  count: number;
}

export interface KeyValueStore {
  /** The value, or null if absent or expired (expiresAt ≤ the store's clock). */
  get(ns: string, key: string): Promise<string | null>;
  /** Inserts or overwrites; expiresAt (epoch ms) is optional, absent means never. */
  set(ns: string, key: string, value: string, expiresAt?: number): Promise<void>;
  /** Removes the key if present. */
  delete(ns: string, key: string): Promise<void>;
  /** Unexpired entries of ns ordered by key. */
  list(ns: string): Promise<{ key: string; value: string }[]>;
  /**
   * A lease: sets the entry to `value` until `expiresAt` only when it is absent, expired, or
   * already holds `value` (a renewal). Atomic across processes; true when it was set.
   */
  claim(ns: string, key: string, value: string, expiresAt: number): Promise<boolean>;
  /**
   * Gives a lease up: removes the entry only while it holds `value`, in one statement, so a holder
   * whose lease ran out and was taken over never removes its successor's. True when removed.
   */
  unclaim(ns: string, key: string, value: string): Promise<boolean>;
}

export interface ChangeFeed {
  /**
   * Appends a change to the shared change log and delivers it to every subscriber in every process
   * sharing this store: local subscribers synchronously before publish() resolves (even if the
   * write then fails), other processes when they read the log (PostgreSQL: woken by NOTIFY, and
   * every heartbeat; SQLite: polled). The payload must be JSON; there is no size limit beyond the
   * database's. Use TxStore.changes inside a transaction, so a rolled-back change is never announced.
   */
  publish(topic: string, payload: unknown): Promise<void>;
  /** Registers handler for topic; returns the unsubscribe function. Handler errors are logged. */
  subscribe(topic: string, handler: (payload: unknown) => void): () => void;
  /**
   * Called after the feed recovered from a period in which it may have missed changes (the PG
   * listener connection was lost and is back), once the missed changes were replayed from the log.
   * Caches are flushed and live connections re-checked then. Never called for SQLite.
   */
  onReconnect(handler: () => void): () => void;
  /**
   * True while this process is known to have read every change committed up to a few seconds ago
   * (the feed's deadline). While false, caches must not be trusted: a revocation could be missing.
   */
  isFresh(): boolean;
}

/** The change log as seen inside a transaction. */
export interface TxChanges {
  /**
   * Writes the change with the transaction (just before it commits); local subscribers get it right
   * after the commit, before Store.transaction resolves; nothing is announced on rollback.
   */
  publish(topic: string, payload: unknown): Promise<void>;
}

/** The subset of a pino logger the store uses. */
export interface StoreLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
