// Opens the configured Store and runs its migrations. Owns: choosing the adapter. Must not: read
// the environment — the composition root passes a resolved config.
import type { Store, StoreLogger } from './ports.ts';
import { openPostgresStore, type PostgresStoreConfig } from './postgres/postgres-store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';

export type StoreConfig =
  | { kind: 'sqlite'; path: string }
  | ({ kind: 'postgres' } & PostgresStoreConfig);

export interface StoreOptions {
  logger?: StoreLogger;
  /** Clock for expiry checks (kv); defaults to Date.now. */
  clock?: () => number;
}

export async function openStore(config: StoreConfig, opts: StoreOptions = {}): Promise<Store> {
  if (config.kind === 'sqlite') return openSqliteStore(config.path, opts);
  const { kind: _kind, ...pg } = config;
  if (!pg.url) throw new TypeError('postgres storage needs a connection URL');
  return openPostgresStore(pg, opts);
}
