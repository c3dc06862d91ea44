// One FIFO mutex per key, created on first use and dropped when idle. Owns: queueing the retries
// of writes to one SCIM resource within this process. Must not: be held across requests or be
// re-entered by the code it runs.
import { AsyncMutex } from '../store/async-mutex.ts';

export class KeyedMutex {
  readonly #locks = new Map<string, { mutex: AsyncMutex; users: number }>();

  /** Runs fn when every earlier holder of `key` has finished; releases even if fn throws. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let lock = this.#locks.get(key);
    if (!lock) {
      lock = { mutex: new AsyncMutex(), users: 0 };
      this.#locks.set(key, lock);
    }
    lock.users++;
    try {
      return await lock.mutex.run(fn);
    } finally {
      if (--lock.users === 0) this.#locks.delete(key);
    }
  }

  /** Keys with a holder or a waiter (for tests: an idle mutex holds no memory). */
  get size(): number {
    return this.#locks.size;
  }
}
