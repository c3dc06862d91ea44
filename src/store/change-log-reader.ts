// Reads the shared change log for one process and delivers what others published. Owns: the
// cursor, payload decoding, skipping this process's own rows, and "read up to when" (freshness).
// Must not: know how rows are fetched or when — each change feed reads on its own schedule.
import { ChangeFanout } from './change-fanout.ts';
import { ChangeLogCursor, type ChangeLogRow } from './change-log-cursor.ts';
import type { StoreLogger } from './ports.ts';

export type ReadChanges = (afterId: number, limit: number) => Promise<ChangeLogRow[]>;

const BATCH = 500;
/** Publishes are written just before commit, so a real gap fills within milliseconds. */
const DEFAULT_GAP_WAIT_MS = 10_000;
/** On start, ids this far below the newest are checked for late commits (not delivered if present). */
const PRIME_WINDOW = 1_000;

export class ChangeLogReader {
  readonly origin: string;
  readonly fanout: ChangeFanout;
  readonly #clock: () => number;
  readonly #logger: StoreLogger | undefined;
  readonly #gapWaitMs: number;
  #cursor: ChangeLogCursor | null = null;
  #readUpTo = Number.NEGATIVE_INFINITY;

  constructor(opts: { origin: string; clock: () => number; logger?: StoreLogger; gapWaitMs?: number }) {
    this.origin = opts.origin;
    this.#clock = opts.clock;
    this.#logger = opts.logger;
    this.#gapWaitMs = opts.gapWaitMs ?? DEFAULT_GAP_WAIT_MS;
    this.fanout = new ChangeFanout(opts.logger);
  }

  /**
   * Starts at the log's end: nothing before it is delivered (this process has nothing cached yet),
   * but ids missing just below it are watched, as they may belong to transactions still committing.
   */
  async prime(read: ReadChanges, newestId: number): Promise<void> {
    const started = this.#clock();
    const cursor = new ChangeLogCursor(Math.max(0, newestId - PRIME_WINDOW), { gapWaitMs: this.#gapWaitMs });
    cursor.take(await read(cursor.readAfter, PRIME_WINDOW + BATCH), started);
    this.#cursor = cursor;
    this.#readUpTo = started;
  }

  /** Reads and delivers everything new; returns how many rows were delivered. */
  async pump(read: ReadChanges): Promise<number> {
    const cursor = this.#cursor;
    if (!cursor) throw new Error('change log reader used before prime()');
    const started = this.#clock();
    let delivered = 0;
    for (;;) {
      const rows = await read(cursor.readAfter, BATCH);
      for (const r of cursor.take(rows, this.#clock())) {
        if (r.origin === this.origin) continue;
        this.#deliver(r);
        delivered++;
      }
      if (rows.length < BATCH) break;
    }
    // Everything committed before this pump started has now been seen.
    this.#readUpTo = Math.max(this.#readUpTo, started);
    return delivered;
  }

  /** When the last complete read started: every change committed before then was delivered. */
  get readUpTo(): number {
    return this.#readUpTo;
  }

  /** The feed's wall clock: log rows are stamped and pruned by it, whatever clock the store uses. */
  now(): number {
    return this.#clock();
  }

  deliverLocal(topic: string, json: string): void {
    this.fanout.deliver(topic, JSON.parse(json));
  }

  #deliver(r: ChangeLogRow): void {
    let payload: unknown;
    try { payload = JSON.parse(r.payload); } catch (err) {
      this.#logger?.error({ err, id: r.id, topic: r.topic }, 'unreadable change-log row skipped');
      return;
    }
    this.fanout.deliver(r.topic, payload);
  }
}

/** The payload as stored: JSON text (deliveries get a parsed copy, never the publisher's object). */
export function encodeChange(payload: unknown): string {
  return JSON.stringify(payload ?? null);
}
