// The SCIM directory's ports: directories (tenants), SCIM tokens, users, groups, memberships and
// the provisioning log. Owns: shapes and contracts. Must not: know SCIM protocol rules beyond
// what storage needs (uniqueness, versions, filters as an AST). Every call is scoped by
// directoryId — two directories never see each other's objects — except the three `…ForEmail` /
// `findByEmail` lookups the proxy uses, which are explicitly cross-directory.
import type { AttrPath, Filter } from '../directory/scim/filter-ast.ts';
import type { RiskStore } from './ports-risk.ts';

export type * from './ports-risk.ts';

export interface DirectoryRecord { id: string; name: string; createdAt: number }

export interface ScimTokenRecord {
  id: string;
  directoryId: string;
  name: string;
  /** sha256 hex of the bearer token; the token itself is never stored. */
  hash: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface UserRow {
  id: string;
  externalId: string | null;
  userName: string;
  active: boolean;
  displayName: string | null;
  /** Primary (or first) email; lower-cased by the store. */
  email: string | null;
  givenName: string | null;
  familyName: string | null;
  /** Full SCIM JSON with schema-canonical key casing (the directory core normalises keys). */
  raw: string;
  version: number;
  createdAt: number;
  lastModified: number;
}

export interface GroupRow {
  id: string;
  externalId: string | null;
  displayName: string;
  raw: string;
  version: number;
  createdAt: number;
  lastModified: number;
}

export interface MemberRef { id: string; displayName: string }
export interface GroupRecord extends GroupRow { memberCount: number }
export interface GroupWithMembers extends GroupRecord { members?: MemberRef[] }

export interface ListQuery {
  filter?: Filter;
  sortBy?: AttrPath;
  sortOrder?: 'ascending' | 'descending';
  /** 1-based (RFC 7644 §3.4.2.4); values < 1 are treated as 1. */
  startIndex: number;
  /** Page size; negative is treated as 0, and 0 returns only `total`. */
  count: number;
}

export interface MemberDelta {
  add: string[];
  remove: string[];
  /** Applied first when present: the membership becomes exactly this set before remove/add. */
  replaceAll?: string[];
  /** Applied first when true: every member is removed before replaceAll/remove/add. */
  removeAll?: boolean;
  /** When given and membership changed, the group's version is bumped and lastModified set. */
  modifiedAt?: number;
}

export interface DirectoryStore {
  readonly directories: DirectoriesRepo;
  readonly tokens: ScimTokensRepo;
  readonly users: UsersRepo;
  readonly groups: GroupsRepo;
  readonly provisioningLog: ProvisioningLogRepo;
  /** Entra ID Protection's per-user risk as the risk sync last read it (src/risk/). */
  readonly risk: RiskStore;
}

export interface DirectoriesRepo {
  /** Throws StoreConflictError('id') or ('name') — names are unique case-insensitively. */
  create(d: DirectoryRecord): Promise<void>;
  get(id: string): Promise<DirectoryRecord | null>;
  /** Case-insensitive. */
  getByName(name: string): Promise<DirectoryRecord | null>;
  /** Ordered by name. */
  list(): Promise<DirectoryRecord[]>;
}

export interface ScimTokensRepo {
  /** lastUsedAt and revokedAt start null. Throws StoreConflictError('id' | 'hash' | 'directoryId'). */
  create(t: { id: string; directoryId: string; name: string; hash: string; createdAt: number }): Promise<void>;
  /** Exact hash lookup, revoked tokens included; the caller compares in constant time and checks revokedAt. */
  findByHash(hash: string): Promise<ScimTokenRecord | null>;
  /** Tokens of one directory, or all, oldest first. */
  list(directoryId?: string): Promise<ScimTokenRecord[]>;
  /** Sets revokedAt once; true if it was unrevoked. */
  revoke(id: string, at: number): Promise<boolean>;
  /** Records a use. */
  touch(id: string, at: number): Promise<void>;
}

export interface EmailOwner { directoryId: string; id: string; userName: string; active: boolean }

export interface UsersRepo {
  /** Throws StoreConflictError('userName') on a case-insensitive duplicate within the directory, ('id') on a duplicate id. externalId is not unique. */
  create(dirId: string, u: UserRow): Promise<void>;
  get(dirId: string, id: string): Promise<UserRow | null>;
  /** The users among `ids` that exist in this directory, in no particular order (one query per 500 ids). */
  getMany(dirId: string, ids: readonly string[]): Promise<UserRow[]>;
  /** Case-insensitive (userName is caseExact=false, RFC 7643 §4.1.1). */
  findByUserName(dirId: string, userName: string): Promise<UserRow | null>;
  /** Across directories, by the lower-cased primary email: who owns it and whether they are active. */
  findByEmail(email: string): Promise<EmailOwner[]>;
  /**
   * Replaces every column of the user (u.version is ignored) and increments the version. Returns
   * the stored row, or null if absent. Throws StoreVersionError if expectedVersion is given and
   * differs, StoreConflictError('userName') on a clash.
   */
  replace(dirId: string, id: string, u: UserRow, expectedVersion?: number): Promise<UserRow | null>;
  /** Deletes the user and its memberships; true if it existed. */
  delete(dirId: string, id: string): Promise<boolean>;
  /** Filtered, sorted (default: createdAt then id), paged. Throws StoreUnsupportedFilterError. */
  list(dirId: string, q: ListQuery): Promise<{ total: number; items: UserRow[] }>;
  /**
   * One page in list()'s default order (createdAt, then id) after `after`, the previous page's last
   * row: keyset paging for the admin API — a deep page costs what the first does, and nothing is
   * counted. `search` keeps users whose userName or displayName contains it, case-insensitively
   * (a trigram index finds them: migration 014). Throws StoreUnsupportedFilterError.
   */
  pageAfter(dirId: string, q: { filter?: Filter; search?: string; after?: DirectoryPageKey; limit: number }): Promise<UserRow[]>;
}

/** Where a page of directory rows ends: the last row's createdAt and id. */
export interface DirectoryPageKey { createdAt: number; id: string }

export interface GroupsRepo {
  /** Throws StoreConflictError('displayName') on a case-insensitive duplicate within the directory, ('id') on a duplicate id. */
  create(dirId: string, g: GroupRow): Promise<void>;
  /** Without members, with memberCount. */
  get(dirId: string, id: string): Promise<GroupRecord | null>;
  /** Same contract as UsersRepo.replace; members are untouched. */
  replace(dirId: string, id: string, g: GroupRow, expectedVersion?: number): Promise<GroupRecord | null>;
  /** Deletes the group and its memberships; true if it existed. */
  delete(dirId: string, id: string): Promise<boolean>;
  /** As UsersRepo.list; with withMembers every item carries `members` (ordered by user id). */
  list(dirId: string, q: ListQuery & { withMembers: boolean }): Promise<{ total: number; items: GroupWithMembers[] }>;
  /**
   * Applies a membership delta atomically: removeAll, then replaceAll, then remove, then add.
   * Cost is independent of the group's size for add/remove. Ids that are not users of this
   * directory are ignored. Returns the ids actually added and removed (each at most once).
   * Returns null if the group does not exist.
   */
  applyMembers(dirId: string, groupId: string, delta: MemberDelta): Promise<{ added: string[]; removed: string[] } | null>;
  /** One page of members ordered by user id; displayName falls back to userName. */
  members(dirId: string, groupId: string, page: { startIndex: number; count: number }): Promise<{ total: number; items: MemberRef[] }>;
  /** Groups the user belongs to, ordered by displayName. */
  groupsOfUser(dirId: string, userId: string): Promise<MemberRef[]>;
  /** Across directories: distinct displayNames of groups of *active* users with this primary email, sorted. */
  groupNamesForEmail(email: string): Promise<string[]>;
}

export interface ProvisioningLogEntry {
  time: number;
  directoryId: string;
  method: string;
  path: string;
  operation: string;
  resourceType: string | null;
  resourceId: string | null;
  externalId: string | null;
  status: number;
  error: string | null;
  durationMs: number;
}

export interface ProvisioningLogRepo {
  append(e: ProvisioningLogEntry): Promise<void>;
  /** Newest first; `before` is a cursor on time (time < before). */
  query(q: { directoryId?: string; since?: number; limit: number; before?: number }): Promise<ProvisioningLogEntry[]>;
  /** Deletes entries with time < `time`; returns how many. */
  purgeBefore(time: number): Promise<number>;
}
