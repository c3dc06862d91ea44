// The PostgreSQL ChangeFeed: LISTEN/NOTIFY on one channel, so every replica learns of revocations
// within a second. Owns: the dedicated listener connection, reconnect with backoff, envelope
// encoding. Must not: deliver a notification twice to its own process (local subscribers already
// ran synchronously in publish) or another schema's notification (schemas are tenants/tests).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { StoreUnavailableError } from '../errors.ts';
import { ChangeFanout } from '../change-fanout.ts';
import type { ChangeFeed, StoreLogger } from '../ports.ts';
import { mapPgError } from './database.ts';

export const CHANNEL = 'moatless_changes';
/** PostgreSQL's NOTIFY payload limit (docs: SQL NOTIFY, "must be shorter than 8000 bytes"). */
const MAX_PAYLOAD = 7999;
const MAX_BACKOFF_MS = 5000;

interface Envelope { s: string; o: string; t: string; p: unknown }

function isEnvelope(v: unknown): v is Envelope {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  return typeof e.s === 'string' && typeof e.o === 'string' && typeof e.t === 'string' && 'p' in e;
}

export class PgChangeFeed implements ChangeFeed {
  readonly #origin = randomUUID();
  readonly #fanout: ChangeFanout;
  readonly #pool: pg.Pool;
  readonly #config: pg.ClientConfig;
  readonly #schema: string;
  readonly #logger: StoreLogger | undefined;
  #client: pg.Client | null = null;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  #backoff = 100;

  constructor(opts: { pool: pg.Pool; clientConfig: pg.ClientConfig; schema: string; logger?: StoreLogger }) {
    this.#pool = opts.pool;
    this.#config = opts.clientConfig;
    this.#schema = opts.schema;
    this.#logger = opts.logger;
    this.#fanout = new ChangeFanout(opts.logger);
  }

  /** Connects the listener; rejects if the first connection fails (the store must not start deaf). */
  async start(): Promise<void> {
    try { await this.#connect(); } catch (err) { throw mapPgError(err); }
  }

  async publish(topic: string, payload: unknown): Promise<void> {
    const json = JSON.stringify({ s: this.#schema, o: this.#origin, t: topic, p: payload ?? null } satisfies Envelope);
    if (Buffer.byteLength(json) > MAX_PAYLOAD) throw new RangeError('change payload exceeds 8000 bytes');
    const parsed: unknown = JSON.parse(json);
    if (isEnvelope(parsed)) this.#fanout.deliver(topic, parsed.p);
    try {
      await this.#pool.query('SELECT pg_notify($1, $2)', [CHANNEL, json]);
    } catch (err) {
      throw new StoreUnavailableError('could not publish change', { cause: err });
    }
  }

  subscribe(topic: string, handler: (payload: unknown) => void): () => void {
    return this.#fanout.subscribe(topic, handler);
  }

  onReconnect(handler: () => void): () => void {
    return this.#fanout.onReconnect(handler);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    const c = this.#client;
    this.#client = null;
    await c?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    const c = new pg.Client({ ...this.#config, application_name: `moatless-listen:${this.#schema}` });
    c.on('notification', (msg) => this.#onNotification(msg.channel, msg.payload));
    c.on('error', (err) => this.#lost(c, err));
    c.on('end', () => this.#lost(c));
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANNEL}`);
    } catch (err) {
      await c.end().catch(() => undefined);
      throw err;
    }
    if (this.#closed) { await c.end().catch(() => undefined); return; }
    this.#client = c;
    this.#backoff = 100;
  }

  #onNotification(channel: string, payload: string | undefined): void {
    if (channel !== CHANNEL || payload === undefined) return;
    let env: unknown;
    try { env = JSON.parse(payload); } catch { return; }
    if (!isEnvelope(env) || env.s !== this.#schema || env.o === this.#origin) return;
    this.#fanout.deliver(env.t, env.p);
  }

  #lost(c: pg.Client, err?: Error): void {
    if (this.#client !== c || this.#closed) return;
    this.#client = null;
    c.end().catch(() => undefined);
    this.#logger?.warn({ err: err ? { message: err.message } : undefined }, 'change-feed listener lost; reconnecting');
    this.#schedule();
  }

  #schedule(): void {
    // Exponential backoff with jitter so replicas do not reconnect in lockstep after a failover.
    const delay = this.#backoff / 2 + Math.random() * (this.#backoff / 2);
    this.#backoff = Math.min(this.#backoff * 2, MAX_BACKOFF_MS);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#closed) return;
      this.#connect().then(
        () => { if (!this.#closed) this.#fanout.reconnected(); },
        (err: unknown) => {
          this.#logger?.warn({ err: { message: err instanceof Error ? err.message : String(err) } }, 'change-feed reconnect failed');
          this.#schedule();
        },
      );
    }, delay);
  }
}
