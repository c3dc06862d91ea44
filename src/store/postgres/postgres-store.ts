// The PostgreSQL Store for high availability: a pg.Pool shared by the repositories and a
// dedicated LISTEN connection for the change feed. Owns: assembly and shutdown. Must not:
// start serving before migrations ran and the listener is connected.
import type { Store, StoreLogger } from '../ports.ts';
import { repositories } from '../sql/repositories.ts';
import { createPool, pgClientConfig, pgExecutor } from './database.ts';
import { migratePostgres } from './migrate.ts';
import { PgChangeFeed, type FeedTiming } from './postgres-change-feed.ts';
import { transactionWithChanges } from '../sql/transaction.ts';

export interface PostgresStoreConfig {
  url: string;
  schema?: string;
  poolSize?: number;
  /** Longest a query may take before it fails (DEFAULT_QUERY_TIMEOUT_MS). */
  queryTimeoutMs?: number;
  /** The change feed's heartbeat and deadline (DEFAULT_FEED_TIMING). */
  feed?: Partial<FeedTiming>;
}

export async function openPostgresStore(cfg: PostgresStoreConfig, opts: { logger?: StoreLogger; clock?: () => number } = {}): Promise<Store> {
  const pool = createPool(cfg.url, cfg.schema, cfg.poolSize ?? 10, opts.logger, cfg.queryTimeoutMs);
  const ex = pgExecutor(pool, cfg.queryTimeoutMs);
  const feed = new PgChangeFeed({
    ex, clientConfig: pgClientConfig(cfg.url, cfg.schema, 'moatless-listen'), schema: cfg.schema ?? 'public',
    ...(cfg.feed ? { timing: cfg.feed } : {}), ...(opts.logger ? { logger: opts.logger } : {}),
  });
  try {
    await migratePostgres(pool, cfg.schema, opts.logger);
    await feed.start();
  } catch (err) {
    await feed.close();
    await pool.end().catch(() => undefined);
    throw err;
  }
  const clock = opts.clock ?? Date.now;
  let closed = false;
  return {
    ...repositories(ex, clock),
    dialect: 'postgres',
    changes: feed,
    transaction: (fn) => transactionWithChanges(ex, clock, feed.reader, fn),
    async close() {
      if (closed) return;
      closed = true;
      await feed.close();
      await pool.end();
    },
  };
}
