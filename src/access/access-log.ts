// One structured line per access decision, and a buffered copy in the store for the dashboard.
// Must not block or slow the request path: the line goes to the logger's buffered destination, rows
// wait in a bounded queue, and whatever either cannot take is dropped and counted (`dropped`,
// exported as moatless_access_log_dropped_total) rather than held without bound.
import type { Logger } from 'pino';
import type { AccessLogEntry, AccessLogStore } from '../store/ports.ts';
import { accessLineWriter, type AccessLineWriter } from './access-log-line.ts';

const BATCH = 200;
/** Rows waiting for the store (queued or being written): a few seconds of a busy proxy's rows. */
export const MAX_PENDING_ROWS = 20_000;

export interface AccessLogDrops {
  /** Rows the store could not take in time (queue full) or failed to write. */
  store: number;
  /** Lines the stdout destination threw away (its buffer full) or could not take. */
  stdout: number;
}

/**
 * A store that also takes rows already serialized: a JSON array of entries (the log thread's, which
 * would otherwise stringify them itself). The line writer has made each entry's JSON by then.
 */
export interface SerializedAppend {
  appendJson(json: string): Promise<void>;
}

export interface AccessLogOptions {
  flushEveryMs?: number;
  maxPendingRows?: number;
}

/** How rows wait for the store and reach it: as entries, or as their JSON text when the store takes that. */
interface RowSink {
  row(e: AccessLogEntry, json: string | null): unknown;
  write(rows: unknown[]): Promise<void>;
}

function rowSink(store: AccessLogStore & Partial<SerializedAppend>): RowSink {
  if (typeof store.appendJson === 'function') {
    const serialized = store as SerializedAppend;
    // One serialization per entry for both its line and its row (issue 17).
    return { row: (e, json) => json ?? JSON.stringify(e), write: (rows) => serialized.appendJson(`[${rows.join(',')}]`) };
  }
  return { row: (e) => e, write: (rows) => store.append(rows as AccessLogEntry[]) };
}

export class AccessLog {
  readonly #sink: RowSink;
  readonly #line: AccessLineWriter | null;
  readonly #maxPending: number;
  #batch: unknown[] = [];
  /** Rows recorded and not yet written (buffered + in flight). */
  #pending = 0;
  readonly #timer: NodeJS.Timeout;
  readonly #inFlight = new Set<Promise<void>>();
  readonly dropped: AccessLogDrops = { store: 0, stdout: 0 };
  readonly #logger: Logger | null;

  constructor(store: AccessLogStore & Partial<SerializedAppend>, logger: Logger | null, opts: AccessLogOptions = {}) {
    this.#sink = rowSink(store);
    this.#logger = logger;
    this.#line = logger ? accessLineWriter(logger, (n) => { this.dropped.stdout += n; }) : null;
    this.#maxPending = opts.maxPendingRows ?? MAX_PENDING_ROWS;
    this.#timer = setInterval(() => void this.flush(), opts.flushEveryMs ?? 1000);
    this.#timer.unref();
  }

  record(e: AccessLogEntry): void {
    const json = this.#line === null ? null : this.#line.write(e);
    if (this.#pending >= this.#maxPending) {
      this.dropped.store++;
      return;
    }
    this.#pending++;
    this.#batch.push(this.#sink.row(e, json));
    // Bounded batches: when the store writes on this thread, one big batch is one long stall.
    if (this.#batch.length >= BATCH) void this.flush();
  }

  /**
   * Hands the buffered rows to the store at once, without waiting for earlier batches: a store that
   * queues (the log thread's message port) holds them serialized, off this thread's heap, where
   * tens of thousands of waiting row objects made every major GC slower. Resolves when every batch
   * handed over so far is written (or dropped).
   */
  flush(): Promise<void> {
    this.#line?.flush();
    const n = this.#batch.length;
    if (n > 0) {
      const batch = this.#batch;
      this.#batch = [];
      const done: Promise<void> = this.#sink.write(batch).catch((err: unknown) => {
        // Losing log rows must not take the proxy down; say so loudly instead.
        this.dropped.store += n;
        this.#logger?.error({ err, dropped: n }, 'access log write failed');
      }).finally(() => {
        this.#pending -= n;
        this.#inFlight.delete(done);
      });
      this.#inFlight.add(done);
    }
    return Promise.all(this.#inFlight).then(() => {});
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
