// Config objects created through the admin API (apps, policies, rule groups, identity providers), layered over
// moatless.yaml. Owns: the shape and contract. Must not: validate bodies (src/config does, with the
// same schema as the file) or know who may write them (src/admin does).
export type ConfigObjectKind = 'app' | 'policy' | 'ruleGroup' | 'identityProvider';

export interface ConfigObjectRecord {
  kind: ConfigObjectKind;
  /** App id, policy id, rule-group name or identity-provider id; unique per kind. */
  id: string;
  /** The object as the config schema takes it (JSON); opaque to the store. */
  body: unknown;
  /** 1 on create, +1 on every update: the ETag. */
  version: number;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  updatedBy: string;
}

export interface ConfigObjectsRepo {
  /**
   * Inside a transaction: waits until no other transaction holds this lock, and holds it until
   * commit or rollback — so writers that judge the whole set of objects before writing one see each
   * other's writes. Reads are not blocked. (SQLite: its transactions already take the write lock.)
   */
  lockForWrite(): Promise<void>;
  /** Every object, or every object of one kind, oldest first (createdAt, then id). */
  list(kind?: ConfigObjectKind): Promise<ConfigObjectRecord[]>;
  get(kind: ConfigObjectKind, id: string): Promise<ConfigObjectRecord | null>;
  /** Inserts with version 1. Throws StoreConflictError('id') if kind+id exists. */
  create(o: Omit<ConfigObjectRecord, 'version' | 'updatedAt' | 'updatedBy'>): Promise<ConfigObjectRecord>;
  /**
   * Replaces the body when the stored version is expectedVersion; version +1. Null if absent;
   * StoreVersionError when the version differs (someone changed it since the caller read it).
   */
  update(
    kind: ConfigObjectKind, id: string, expectedVersion: number, change: { body: unknown; at: number; by: string },
  ): Promise<ConfigObjectRecord | null>;
  /** Deletes when the stored version is expectedVersion; false if absent; StoreVersionError otherwise. */
  remove(kind: ConfigObjectKind, id: string, expectedVersion: number): Promise<boolean>;
}
