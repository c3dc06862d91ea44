// Applies the numbered PostgreSQL migrations under pg_advisory_lock, so replicas starting together
// never race; each migration runs in its own transaction and is recorded in schema_migrations.
// Owns: schema creation and migration bookkeeping. Must not: hold the lock past the migration.
import type pg from 'pg';
import { StoreUnavailableError } from '../errors.ts';
import { loadMigrations } from '../migrations.ts';
import type { StoreLogger } from '../ports.ts';
import { checkSchemaName, mapPgError } from './database.ts';

/** Advisory-lock class id ("moat"); the object id is hashtext(schema), so schemas migrate independently. */
const LOCK_CLASS = 0x6d6f6174;

export async function migratePostgres(pool: pg.Pool, schema: string | undefined, logger?: StoreLogger): Promise<number> {
  const migrations = await loadMigrations('postgres');
  let client: pg.PoolClient;
  try { client = await pool.connect(); } catch (err) { throw mapPgError(err); }
  let applied = 0;
  const lockKey = schema ?? 'public';
  try {
    await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [LOCK_CLASS, lockKey]);
    try {
      // The name is validated as an identifier; DDL cannot take it as a parameter.
      if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS "${checkSchemaName(schema)}"`);
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)');
      for (const m of migrations) {
        await client.query('BEGIN');
        try {
          const { rows } = await client.query<{ checksum: string }>('SELECT checksum FROM schema_migrations WHERE version = $1', [m.version]);
          if (rows[0]) {
            if (rows[0].checksum !== m.checksum) logger?.warn({ migration: m.name }, 'applied migration file has changed since it ran');
            await client.query('COMMIT');
            continue;
          }
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)', [m.version, m.name, m.checksum, Date.now()]);
          await client.query('COMMIT');
          applied++;
          logger?.info({ migration: m.name }, 'applied store migration');
        } catch (cause) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw new StoreUnavailableError(`migration ${m.name} failed`, { cause });
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_CLASS, lockKey]);
    }
  } catch (err) {
    throw mapPgError(err);
  } finally {
    client.release();
  }
  return applied;
}
