// One line per gateway request: written to the logger's destination (`type: "gateway"`,
// gateway-log-line.ts) and, buffered, to the store for the dashboard. Losing rows must never stall or crash the proxy.
import type { Logger } from 'pino';
import type { GatewayLogEntry, GatewayLogStore } from '../store/ports.ts';
import { gatewayLineWriter, type GatewayLineWriter } from './gateway-log-line.ts';

const BATCH = 200;

export class GatewayLog {
  readonly #store: GatewayLogStore;
  readonly #logger: Logger | null;
  readonly #line: GatewayLineWriter | null;
  #buffer: GatewayLogEntry[] = [];
  readonly #timer: NodeJS.Timeout;
  #flushing: Promise<void> = Promise.resolve();

  constructor(store: GatewayLogStore, logger: Logger | null, flushEveryMs = 1000) {
    this.#store = store;
    this.#logger = logger;
    this.#line = logger ? gatewayLineWriter(logger) : null;
    this.#timer = setInterval(() => void this.flush(), flushEveryMs);
    this.#timer.unref();
  }

  record(e: GatewayLogEntry): void {
    this.#line?.write(e);
    this.#buffer.push(e);
    if (this.#buffer.length >= BATCH) void this.flush();
  }

  flush(): Promise<void> {
    this.#line?.flush();
    if (this.#buffer.length === 0) return this.#flushing;
    const batch = this.#buffer;
    this.#buffer = [];
    this.#flushing = this.#flushing.then(() => this.#store.append(batch)).catch((err: unknown) => {
      this.#logger?.error({ err, dropped: batch.length }, 'gateway log write failed');
    });
    return this.#flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
