// One structured line per access decision, and a buffered copy in the store for the dashboard.
import type { Logger } from 'pino';
import type { AccessLogEntry, AccessLogStore } from '../store/ports.ts';

const BATCH = 200;

export class AccessLog {
  readonly #store: AccessLogStore;
  readonly #logger: Logger | null;
  #buffer: AccessLogEntry[] = [];
  readonly #timer: NodeJS.Timeout;
  #flushing: Promise<void> = Promise.resolve();

  constructor(store: AccessLogStore, logger: Logger | null, flushEveryMs = 1000) {
    this.#store = store;
    this.#logger = logger;
    this.#timer = setInterval(() => void this.flush(), flushEveryMs);
    this.#timer.unref();
  }

  record(e: AccessLogEntry): void {
    // `at` rather than `time`: pino's own `time` key would appear twice in the JSON line.
    const { time, ...rest } = e;
    this.#logger?.info({ type: 'access', at: new Date(time).toISOString(), ...rest });
    this.#buffer.push(e);
    // Bounded batches: when the store writes on this thread, one big batch is one long stall.
    if (this.#buffer.length >= BATCH) void this.flush();
  }

  flush(): Promise<void> {
    if (this.#buffer.length === 0) return this.#flushing;
    const batch = this.#buffer;
    this.#buffer = [];
    this.#flushing = this.#flushing.then(() => this.#store.append(batch)).catch((err: unknown) => {
      // Losing log rows must not take the proxy down; say so loudly instead.
      this.#logger?.error({ err, dropped: batch.length }, 'access log write failed');
    });
    return this.#flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
