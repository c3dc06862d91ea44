// The SQLite Store: one embedded database; changes reach local subscribers at once and other
// processes on the same file (the CLI) through a polled change log. Owns: assembling the
// repositories over the serialised executor.
import type { Store, StoreLogger } from '../ports.ts';
import { sqliteChangeFeed } from './sqlite-change-feed.ts';
import { repositories } from '../sql/repositories.ts';
import { transactionWithChanges } from '../sql/transaction.ts';
import { openSqliteDatabase, sqliteExecutor } from './database.ts';
import { migrateSqlite } from './migrate.ts';
import { startUserSearchFold } from './user-search-fold.ts';

export async function openSqliteStore(path: string, opts: { logger?: StoreLogger; clock?: () => number } = {}): Promise<Store> {
  const db = openSqliteDatabase(path);
  try {
    await migrateSqlite(db, opts.logger);
  } catch (err) {
    db.close();
    throw err;
  }
  const clock = opts.clock ?? Date.now;
  const ex = sqliteExecutor(db);
  const changes = await sqliteChangeFeed(ex, Date.now, opts.logger);
  const searchFold = startUserSearchFold(ex, opts.logger);
  let closed = false;
  return {
    ...repositories(ex, clock),
    dialect: 'sqlite',
    changes,
    transaction: (fn) => transactionWithChanges(ex, clock, changes.reader, fn),
    async close() {
      if (closed) return;
      closed = true;
      changes.stop();
      await searchFold.stop();
      // Wait for queued work so an acknowledged write is never cut off by close().
      await ex.run('SELECT 1');
      db.close();
    },
  };
}
