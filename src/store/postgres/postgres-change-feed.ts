// The PostgreSQL ChangeFeed: changes are rows of change_log; NOTIFY wakes every replica's listener
// connection, which reads the new rows in id order. Owns: the listener connection, its heartbeat
// (a read every second with a deadline, so a silently dead connection is noticed within seconds),
// reconnect with backoff, replay of what was missed, and freshness. Must not: deliver a process's
// own change twice (local subscribers ran in publish) or another schema's (schemas are tenants).
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import pg from 'pg';
import { ChangeLogReader, encodeChange } from '../change-log-reader.ts';
import type { ChangeFeed, StoreLogger } from '../ports.ts';
import { appendChange, CHANGE_LOG_KEEP_MS, MAX_CHANGE_ID_SQL, PG_CHANGE_CHANNEL, PRUNE_CHANGES_SQL, READ_CHANGES_SQL, toChangeRow } from '../sql/change-log-repo.ts';
import type { SqlExecutor } from '../sql/executor.ts';
import { mapPgError, toPgSql } from './database.ts';
import { withDeadline } from '../deadline.ts';

const MAX_BACKOFF_MS = 5000;
const PRUNE_EVERY_MS = 60_000;
const READ_SQL = toPgSql(READ_CHANGES_SQL);

export interface FeedTiming {
  /** How often the listener reads the log even without a NOTIFY (the heartbeat). */
  heartbeatMs: number;
  /** A read slower than this means the connection is dead; the feed is not fresh past it. */
  deadlineMs: number;
}

export const DEFAULT_FEED_TIMING: FeedTiming = { heartbeatMs: 1000, deadlineMs: 3000 };

interface Listener { client: pg.Client; pumping: boolean; again: boolean }

export class PgChangeFeed implements ChangeFeed {
  readonly reader: ChangeLogReader;
  readonly #ex: SqlExecutor;
  readonly #config: pg.ClientConfig;
  readonly #schema: string;
  readonly #logger: StoreLogger | undefined;
  readonly #timing: FeedTiming;
  #listener: Listener | null = null;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #heartbeat: NodeJS.Timeout | null = null;
  #closed = false;
  #backoff = 100;
  #lastPrune = 0;

  constructor(opts: { ex: SqlExecutor; clientConfig: pg.ClientConfig; schema: string; logger?: StoreLogger; timing?: Partial<FeedTiming> }) {
    this.#ex = opts.ex;
    this.#config = opts.clientConfig;
    this.#schema = opts.schema;
    this.#logger = opts.logger;
    this.#timing = { ...DEFAULT_FEED_TIMING, ...opts.timing };
    this.reader = new ChangeLogReader({ origin: randomUUID(), clock: Date.now, ...(opts.logger ? { logger: opts.logger } : {}) });
  }

  /** Connects the listener and finds the log's end; rejects if that fails (never start deaf). */
  async start(): Promise<void> {
    try {
      const [row] = await this.#ex.all(MAX_CHANGE_ID_SQL);
      const client = await this.#connect();
      await this.reader.prime((after, limit) => readRows(client, after, limit), Number(row?.['id'] ?? 0));
    } catch (err) {
      await this.close();
      throw mapPgError(err);
    }
    this.#heartbeat = setInterval(() => this.#beat(), this.#timing.heartbeatMs);
    this.#heartbeat.unref();
  }

  async publish(topic: string, payload: unknown): Promise<void> {
    const json = encodeChange(payload);
    this.reader.deliverLocal(topic, json);
    await appendChange(this.#ex, this.reader.origin, topic, json, this.reader.now());
  }

  subscribe(topic: string, handler: (payload: unknown) => void): () => void {
    return this.reader.fanout.subscribe(topic, handler);
  }

  onReconnect(handler: () => void): () => void {
    return this.reader.fanout.onReconnect(handler);
  }

  isFresh(): boolean {
    return this.#listener !== null && this.reader.now() - this.reader.readUpTo <= this.#timing.deadlineMs;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    const l = this.#listener;
    this.#listener = null;
    if (l) await endClient(l.client);
  }

  async #connect(): Promise<pg.Client> {
    const c = new pg.Client({ ...this.#config, application_name: `moatless-listen:${this.#schema}` });
    const l: Listener = { client: c, pumping: false, again: false };
    c.on('notification', (msg) => {
      if (msg.channel === PG_CHANGE_CHANNEL && msg.payload === this.#schema) this.#pump(l);
    });
    c.on('error', (err) => this.#lost(l, err));
    c.on('end', () => this.#lost(l, new Error('connection ended')));
    try {
      await withDeadline(c.connect().then(() => c.query(`LISTEN ${PG_CHANGE_CHANNEL}`)), this.#timing.deadlineMs + 5000, 'listener connect');
    } catch (err) {
      await endClient(c);
      throw err;
    }
    if (this.#closed) {
      await endClient(c);
      throw new Error('change feed closed');
    }
    this.#listener = l;
    this.#backoff = 100;
    return c;
  }

  #beat(): void {
    if (this.#listener) this.#pump(this.#listener);
    const now = this.reader.now();
    if (now - this.#lastPrune >= PRUNE_EVERY_MS) {
      this.#lastPrune = now;
      this.#ex.run(PRUNE_CHANGES_SQL, [now - CHANGE_LOG_KEEP_MS]).catch((err: unknown) => this.#logger?.warn({ err }, 'change log prune failed'));
    }
  }

  /** Reads until nothing is new; a read past the deadline drops the connection. */
  #pump(l: Listener, after?: () => void): void {
    if (l.pumping) { l.again = true; return; }
    l.pumping = true;
    void (async () => {
      try {
        do {
          l.again = false;
          await withDeadline(this.reader.pump((a, n) => readRows(l.client, a, n)), this.#timing.deadlineMs, 'change log read');
        } while (l.again && this.#listener === l);
        after?.();
      } catch (err) {
        this.#lost(l, err instanceof Error ? err : new Error(String(err)));
      } finally {
        l.pumping = false;
      }
    })();
  }

  #lost(l: Listener, err: Error): void {
    if (this.#listener !== l || this.#closed) return;
    this.#listener = null;
    void endClient(l.client);
    this.#logger?.warn({ err: { message: err.message } }, 'change-feed listener lost; caches are bypassed until it is back');
    this.#schedule();
  }

  #schedule(): void {
    // Exponential backoff with jitter so replicas do not reconnect in lockstep after a failover.
    const delay = this.#backoff / 2 + Math.random() * (this.#backoff / 2);
    this.#backoff = Math.min(this.#backoff * 2, MAX_BACKOFF_MS);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      if (this.#closed) return;
      this.#connect().then(
        () => {
          const l = this.#listener;
          // Replay what was missed, then let caches flush and live connections be re-checked.
          if (l) this.#pump(l, () => { if (!this.#closed) this.reader.fanout.reconnected(); });
        },
        (err: unknown) => {
          this.#logger?.warn({ err: { message: err instanceof Error ? err.message : String(err) } }, 'change-feed reconnect failed');
          this.#schedule();
        },
      );
    }, delay);
  }
}

async function readRows(c: pg.Client, after: number, limit: number) {
  const r = await c.query<Record<string, unknown>>(READ_SQL, [after, limit]);
  return r.rows.map(toChangeRow);
}


/** end() waits for the server's goodbye, which a dead link never sends: cut the socket too. */
async function endClient(c: pg.Client): Promise<void> {
  const stream = (c as unknown as { connection?: { stream?: Socket } }).connection?.stream;
  stream?.destroy();
  await withDeadline(c.end(), 1000, 'listener close').catch(() => undefined);
}
