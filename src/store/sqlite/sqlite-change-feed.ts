// The SQLite change feed: local subscribers synchronously, other processes on the same database
// file (the CLI, a second server) through the change log, polled. Owns: the poll and pruning.
// Must not: deliver a process's own changes twice (the reader skips its own origin).
import { randomUUID } from 'node:crypto';
import { ChangeLogReader, encodeChange } from '../change-log-reader.ts';
import type { ChangeFeed, StoreLogger } from '../ports.ts';
import { appendChange, CHANGE_LOG_KEEP_MS, MAX_CHANGE_ID_SQL, PRUNE_CHANGES_SQL, READ_CHANGES_SQL, toChangeRow } from '../sql/change-log-repo.ts';
import { num, type SqlExecutor } from '../sql/executor.ts';

const POLL_MS = 200;
/** A reader that has not completed a poll for this long is not fresh (a stuck disk, a long lock). */
const STALE_AFTER_MS = 3_000;

export interface SqliteChangeFeed extends ChangeFeed {
  readonly reader: ChangeLogReader;
  stop(): void;
}

export async function sqliteChangeFeed(ex: SqlExecutor, clock: () => number, logger?: StoreLogger): Promise<SqliteChangeFeed> {
  const reader = new ChangeLogReader({ origin: randomUUID(), clock, ...(logger ? { logger } : {}) });
  const read = async (after: number, limit: number) => (await ex.all(READ_CHANGES_SQL, [after, limit])).map(toChangeRow);
  const [row] = await ex.all(MAX_CHANGE_ID_SQL);
  await reader.prime(read, row ? num(row, 'id') : 0);
  let polling = false;
  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      await reader.pump(read);
    } catch (err) {
      logger?.error({ err }, 'change log poll failed');
    } finally {
      polling = false;
    }
  };
  const timer = setInterval(() => void poll(), POLL_MS);
  timer.unref();
  let published = 0;
  return {
    reader,
    async publish(topic, payload) {
      const json = encodeChange(payload);
      reader.deliverLocal(topic, json);
      const now = clock();
      await appendChange(ex, reader.origin, topic, json, now);
      if (++published % 100 === 0) await ex.run(PRUNE_CHANGES_SQL, [now - CHANGE_LOG_KEEP_MS]);
    },
    subscribe: (topic, handler) => reader.fanout.subscribe(topic, handler),
    onReconnect: (handler) => reader.fanout.onReconnect(handler),
    isFresh: () => clock() - reader.readUpTo <= STALE_AFTER_MS,
    stop: () => clearInterval(timer),
  };
}
