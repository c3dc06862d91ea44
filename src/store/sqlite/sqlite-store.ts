// The SQLite Store: one embedded database, in-process change feed. Owns: assembling the
// repositories over the serialised executor. Must not: pretend to notify other processes —
// SQLite deployments are single-process by design (DESIGN.md "Deployment shapes").
import { ChangeFanout } from '../change-fanout.ts';
import type { ChangeFeed, Store, StoreLogger } from '../ports.ts';
import { repositories } from '../sql/repositories.ts';
import { openSqliteDatabase, sqliteExecutor } from './database.ts';
import { migrateSqlite } from './migrate.ts';

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
  const fanout = new ChangeFanout(opts.logger);
  const changes: ChangeFeed = {
    async publish(topic, payload) {
      // Same contract as PostgreSQL: the payload must be JSON, and deliveries get a copy.
      const json = JSON.stringify(payload ?? null);
      if (Buffer.byteLength(json) > 8000) throw new RangeError('change payload exceeds 8000 bytes');
      fanout.deliver(topic, JSON.parse(json));
    },
    subscribe: (topic, handler) => fanout.subscribe(topic, handler),
    onReconnect: (handler) => fanout.onReconnect(handler),
  };
  let closed = false;
  return {
    ...repositories(ex, clock),
    dialect: 'sqlite',
    changes,
    transaction: (fn) => ex.atomic((tx) => fn(repositories(tx, clock))),
    async close() {
      if (closed) return;
      closed = true;
      // Wait for queued work so an acknowledged write is never cut off by close().
      await ex.run('SELECT 1');
      db.close();
    },
  };
}
