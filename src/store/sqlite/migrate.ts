// Applies the numbered SQLite migrations in order, each in its own transaction, recording them in
// schema_migrations. Owns: migration bookkeeping for SQLite. Must not: edit an applied migration's
// effect — a changed file is reported (checksum) and left alone.
import type { DatabaseSync } from 'node:sqlite';
import { StoreUnavailableError } from '../errors.ts';
import { loadMigrations } from '../migrations.ts';
import type { StoreLogger } from '../ports.ts';

export async function migrateSqlite(db: DatabaseSync, logger?: StoreLogger): Promise<number> {
  const migrations = await loadMigrations('sqlite');
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  let applied = 0;
  for (const m of migrations) {
    // BEGIN IMMEDIATE serialises two processes opening the same file; re-check inside the lock.
    db.exec('BEGIN IMMEDIATE');
    try {
      const row = db.prepare('SELECT checksum FROM schema_migrations WHERE version = ?').get(m.version);
      if (row) {
        if (row.checksum !== m.checksum) logger?.warn({ migration: m.name }, 'applied migration file has changed since it ran');
        db.exec('COMMIT');
        continue;
      }
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)').run(m.version, m.name, m.checksum, Date.now());
      db.exec('COMMIT');
      applied++;
      logger?.info({ migration: m.name }, 'applied store migration');
    } catch (cause) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw new StoreUnavailableError(`migration ${m.name} failed`, { cause });
    }
  }
  return applied;
}
