// The shared change log (table change_log, both dialects): append, read in id order, prune. Owns:
// its SQL. Must not: decide what is new to a reader (change-log-cursor.ts does) or parse payloads.
import type { ChangeLogRow } from '../change-log-cursor.ts';
import { num, str, type SqlExecutor } from './executor.ts';

/** The LISTEN/NOTIFY channel; the payload is the schema, so replicas of other schemas ignore it. */
export const PG_CHANGE_CHANNEL = 'moatless_changes';

/**
 * Appends one change. On PostgreSQL the same statement raises a NOTIFY, which PostgreSQL sends when
 * the surrounding transaction commits (never for a rolled-back one).
 */
export async function appendChange(ex: SqlExecutor, origin: string, topic: string, json: string, at: number): Promise<void> {
  if (ex.dialect.name === 'postgres') {
    await ex.all(
      `WITH ins AS (INSERT INTO change_log (origin, topic, payload, created_at) VALUES (?, ?, ?, ?) RETURNING id)
       SELECT pg_notify('${PG_CHANGE_CHANNEL}', current_schema()) FROM ins`,
      [origin, topic, json, at],
    );
    return;
  }
  await ex.run('INSERT INTO change_log (origin, topic, payload, created_at) VALUES (?, ?, ?, ?)', [origin, topic, json, at]);
}

/** Rows are kept this long: a replica whose listener was down for less replays what it missed. */
export const CHANGE_LOG_KEEP_MS = 15 * 60_000;

export const READ_CHANGES_SQL = 'SELECT id, origin, topic, payload FROM change_log WHERE id > ? ORDER BY id LIMIT ?';
export const MAX_CHANGE_ID_SQL = 'SELECT COALESCE(MAX(id), 0) AS id FROM change_log';
export const PRUNE_CHANGES_SQL = 'DELETE FROM change_log WHERE created_at < ?';

export function toChangeRow(r: Record<string, unknown>): ChangeLogRow {
  return { id: num(r, 'id'), origin: str(r, 'origin'), topic: str(r, 'topic'), payload: str(r, 'payload') };
}
