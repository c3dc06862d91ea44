// Maps a driver's uniqueness/foreign-key violation to the public StoreConflictError field. Owns:
// the one table from index/constraint names (named alike in both dialects' migrations) to
// fields. Must not: put the violating value in the error — PostgreSQL's `detail` carries it.
import { StoreConflictError } from '../errors.ts';

const FIELDS: [needle: string, field: string][] = [
  ['user_name_key', 'userName'],
  ['display_name_key', 'displayName'],
  ['name_key', 'name'],
  ['hash', 'hash'],
  ['kid', 'kid'],
  ['signing_keys_pkey', 'kid'],
];

/** `where` is SQLite's "UNIQUE constraint failed: t.a, t.b" text or PostgreSQL's constraint name. */
export function uniqueViolation(where: string, cause: unknown): StoreConflictError {
  const hit = FIELDS.find(([needle]) => where.includes(needle));
  return new StoreConflictError(hit ? hit[1] : 'id', { cause });
}

/** A foreign key failed: the only parents callers name are directories. */
export function foreignKeyViolation(cause: unknown): StoreConflictError {
  return new StoreConflictError('directoryId', { cause });
}
