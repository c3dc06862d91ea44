// One structured line per access decision, and a buffered copy in the store for the dashboard.
// Must not block or slow the request path: the line goes to the logger's buffered destination, rows
// wait in a bounded queue, and whatever either cannot take is dropped and counted (`dropped`,
// exported as moatless_access_log_dropped_total) rather than held without bound.
import type { Logger } from 'pino';
import type { AccessLogEntry, AccessLogStore } from '../store/ports.ts';
import { accessLineWriter, type AccessLineWriter } from './access-log-line.ts';

const BATCH = 200;
/** Rows waiting for the store (queued or being written); ~2 minutes of a busy proxy's rows. */
export const MAX_PENDING_ROWS = 50_000;

export interface AccessLogDrops {
  /** Rows the store could not take in time (queue full) or failed to write. */
  store: number;
  /** Lines the stdout destination threw away (its buffer full) or could not take. */
  stdout: number;
}

export interface AccessLogOptions {
  flushEveryMs?: number;
  maxPendingRows?: number;
}

export class AccessLog {
  readonly #store: AccessLogStore;
  readonly #line: AccessLineWriter | null;
  readonly #maxPending: number;
  #buffer: AccessLogEntry[] = [];
  /** Rows recorded and not yet written (buffered + in flight). */
  #pending = 0;
  readonly #timer: NodeJS.Timeout;
  #flushing: Promise<void> = Promise.resolve();
  readonly dropped: AccessLogDrops = { store: 0, stdout: 0 };
  readonly #logger: Logger | null;

  constructor(store: AccessLogStore, logger: Logger | null, opts: AccessLogOptions = {}) {
    this.#store = store;
    this.#logger = logger;
    this.#line = logger ? accessLineWriter(logger, (n) => { this.dropped.stdout += n; }) : null;
    this.#maxPending = opts.maxPendingRows ?? MAX_PENDING_ROWS;
    this.#timer = setInterval(() => void this.flush(), opts.flushEveryMs ?? 1000);
    this.#timer.unref();
  }

  record(e: AccessLogEntry): void {
    this.#line?.write(e);
    if (this.#pending >= this.#maxPending) {
      this.dropped.store++;
      return;
    }
    this.#pending++;
    this.#buffer.push(e);
    // Bounded batches: when the store writes on this thread, one big batch is one long stall.
    if (this.#buffer.length >= BATCH) void this.flush();
  }

  flush(): Promise<void> {
    this.#line?.flush();
    if (this.#buffer.length === 0) return this.#flushing;
    const batch = this.#buffer;
    this.#buffer = [];
    this.#flushing = this.#flushing.then(() => this.#store.append(batch)).catch((err: unknown) => {
      // Losing log rows must not take the proxy down; say so loudly instead.
      this.dropped.store += batch.length;
      this.#logger?.error({ err, dropped: batch.length }, 'access log write failed');
    }).finally(() => { this.#pending -= batch.length; });
    return this.#flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
