// The SQLite change feed: local subscribers synchronously, other processes on the same database
// file (the CLI, a second server) through a small polled change log. Owns: publishing, polling and
// pruning that log. Must not: deliver a process's own changes twice.
import { randomUUID } from 'node:crypto';
import { ChangeFanout } from '../change-fanout.ts';
import type { ChangeFeed, StoreLogger } from '../ports.ts';
import type { SqlExecutor } from '../sql/executor.ts';

const POLL_MS = 200;
const KEEP_MS = 60_000;

export async function sqliteChangeFeed(ex: SqlExecutor, clock: () => number, logger?: StoreLogger): Promise<ChangeFeed & { stop(): void }> {
  const fanout = new ChangeFanout(logger);
  const origin = randomUUID();
  const [row] = await ex.all('SELECT COALESCE(MAX(id), 0) AS id FROM change_log');
  let lastId = Number(row?.['id'] ?? 0);
  let polling = false;
  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      const rows = await ex.all('SELECT id, origin, topic, payload FROM change_log WHERE id > ? ORDER BY id', [lastId]);
      for (const r of rows) {
        lastId = Number(r['id']);
        if (r['origin'] !== origin) fanout.deliver(String(r['topic']), JSON.parse(String(r['payload'])));
      }
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
    async publish(topic, payload) {
      // Same contract as PostgreSQL: the payload must be JSON, and deliveries get a copy.
      const json = JSON.stringify(payload ?? null);
      if (Buffer.byteLength(json) > 8000) throw new RangeError('change payload exceeds 8000 bytes');
      fanout.deliver(topic, JSON.parse(json));
      const now = clock();
      await ex.run('INSERT INTO change_log (origin, topic, payload, created_at) VALUES (?, ?, ?, ?)', [origin, topic, json, now]);
      if (++published % 100 === 0) await ex.run('DELETE FROM change_log WHERE created_at < ?', [now - KEEP_MS]);
    },
    subscribe: (topic, handler) => fanout.subscribe(topic, handler),
    onReconnect: (handler) => fanout.onReconnect(handler),
    stop: () => clearInterval(timer),
  };
}
