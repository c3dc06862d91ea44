// The secure web gateway's port: per-device proxy credentials and the gateway log.
// Owns: shapes and contracts. Must not: know HTTP, policies or how a credential is checked.

export interface ProxyCredentialRecord {
  /** Public id: the username of `Proxy-Authorization: Basic`. */
  id: string;
  /** sha256 hex of the secret — the secret itself is never stored. */
  secretHash: string;
  /** The global session it was created from: revoking or expiring that session kills it. */
  sessionId: string;
  userKey: string;
  /** Lower-cased by the store. */
  email: string;
  label: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface ProxyCredentialStore {
  /** Inserts a credential. Throws StoreConflictError('id') if the id exists. */
  create(c: ProxyCredentialRecord): Promise<void>;
  /** The credential by id, revoked ones included (the caller decides), or null. */
  get(id: string): Promise<ProxyCredentialRecord | null>;
  /** The user's credentials, revoked ones included, newest first. */
  listForUser(userKey: string): Promise<ProxyCredentialRecord[]>;
  /** Revokes the credential if it belongs to userKey and is not revoked yet; true when it did. */
  revoke(id: string, userKey: string, at: number): Promise<boolean>;
  /** Moves lastUsedAt forward, never backwards. */
  touch(id: string, at: number): Promise<void>;
}

/** Isolation outcome of a request: redirected to the viewer, blocked as a non-navigation, or none. */
export type GatewayIsolation = 'redirected' | 'blocked' | null;

export interface GatewayLogEntry {
  time: number;
  requestId: string;
  userKey: string | null;
  email: string | null;
  /** The user's groups that a deciding rule tested (the risk group, …); never the whole list. */
  groups: string[];
  host: string;
  url: string;
  method: string;
  action: string;
  policy: string | null;
  reasons: string[];
  status: number;
  /** Bytes sent to the client (response body, or tunnel bytes both ways for CONNECT). */
  bytes: number;
  isolation: GatewayIsolation;
  clientIp: string;
}

export interface GatewayLogQuery {
  since?: number;
  /** time < before (a paging cursor). */
  before?: number;
  email?: string;
  action?: string;
  limit: number;
}

export interface GatewayLogStore {
  /** Inserts the entries in one transaction (all or none). */
  append(entries: GatewayLogEntry[]): Promise<void>;
  /** Entries matching every given field (since ≤ time < before), newest first, at most limit. */
  query(q: GatewayLogQuery): Promise<GatewayLogEntry[]>;
  /** Deletes entries with time < `time`; returns how many. */
  purgeBefore(time: number): Promise<number>;
}

export interface GatewayStore {
  readonly credentials: ProxyCredentialStore;
  readonly log: GatewayLogStore;
}
