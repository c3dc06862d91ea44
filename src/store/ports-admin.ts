// The admin capability's ports: API tokens for automation and the admin audit log. Owns: shapes
// and contracts. Must not: know about scopes' meaning, HTTP or who may do what (src/admin does).
import type { ConfigObjectsRepo } from './ports-config.ts';

export type * from './ports-config.ts';
export interface AdminTokenRecord {
  id: string;
  name: string;
  scope: 'read' | 'write';
  /** sha256 hex of the bearer token; the token itself is never stored. */
  hash: string;
  createdAt: number;
  expiresAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface AdminTokensRepo {
  /** lastUsedAt and revokedAt start null. Throws StoreConflictError('id' | 'hash'). */
  create(t: Omit<AdminTokenRecord, 'lastUsedAt' | 'revokedAt'>): Promise<void>;
  /** Exact hash lookup, revoked and expired tokens included (the caller judges), or null. */
  findByHash(hash: string): Promise<AdminTokenRecord | null>;
  /** Every token, oldest first. */
  list(): Promise<AdminTokenRecord[]>;
  /** Sets revokedAt once; true if it was unrevoked. */
  revoke(id: string, at: number): Promise<boolean>;
  /** Records a use (lastUsedAt only moves forward). */
  touch(id: string, at: number): Promise<void>;
}

export interface AdminAuditEntry {
  time: number;
  /** Who: `user:<email>` for a signed-in admin, `token:<name>` for an API token, `cli` for the CLI. */
  actor: string;
  /** What, as a stable verb: `sessions.revoke`, `token.create`, … */
  action: string;
  /** The object acted on, e.g. `session:<id>`, `user:<email>`, `app:<id>`. */
  target: string;
  /** JSON-able state before and after (null when not applicable); never secrets. */
  before: unknown;
  after: unknown;
  requestId: string | null;
}

export interface AdminAuditQuery {
  actor?: string;
  action?: string;
  since?: number;
  until?: number;
  limit: number;
  /** Cursor: only entries with seq < beforeSeq (pass the last page's smallest seq). */
  beforeSeq?: number;
}

export interface AdminAuditRepo {
  /** Appends one entry; returns its sequence number (strictly increasing). */
  append(e: AdminAuditEntry): Promise<number>;
  /** Entries matching every given field, newest first (seq desc), at most limit. */
  query(q: AdminAuditQuery): Promise<(AdminAuditEntry & { seq: number })[]>;
}

export interface AdminStore {
  readonly tokens: AdminTokensRepo;
  readonly audit: AdminAuditRepo;
  /** Apps, policies and rule groups created through the admin API (ports-config.ts). */
  readonly configObjects: ConfigObjectsRepo;
}
