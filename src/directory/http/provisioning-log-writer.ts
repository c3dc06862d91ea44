// Buffers provisioning-log rows and writes them in one transaction every few hundred
// milliseconds: on SQLite every commit is a disk sync that later SCIM requests would queue behind,
// and Entra sends a GET probe before nearly every write.
import type { Logger } from 'pino';
import type { ProvisioningLogEntry, Store } from '../../store/ports.ts';

const FLUSH_MS = 250;
const FLUSH_AT = 200;

export class ProvisioningLogWriter {
  readonly #store: Store;
  readonly #logger: Pick<Logger, 'error'>;
  #buffer: ProvisioningLogEntry[] = [];
  #timer: NodeJS.Timeout | null = null;
  #writing: Promise<void> = Promise.resolve();

  constructor(store: Store, logger: Pick<Logger, 'error'>) {
    this.#store = store;
    this.#logger = logger;
  }

  append(e: ProvisioningLogEntry): void {
    this.#buffer.push(e);
    if (this.#buffer.length >= FLUSH_AT) void this.flush();
    else if (!this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), FLUSH_MS);
      this.#timer.unref();
    }
  }

  /** Resolves when everything appended so far is stored (or its failure logged). */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const batch = this.#buffer;
    this.#buffer = [];
    if (batch.length === 0) return this.#writing;
    this.#writing = this.#writing
      .then(() => this.#store.transaction(async (tx) => { for (const e of batch) await tx.directory.provisioningLog.append(e); }))
      .catch((err: unknown) => this.#logger.error({ err, dropped: batch.length }, 'provisioning log write failed'));
    return this.#writing;
  }
}
