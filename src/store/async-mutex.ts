// A FIFO async mutex. Owns: serialising access to the one synchronous SQLite connection so that
// no caller's statement lands inside another caller's open transaction. Must not: be reentrant —
// code holding the lock calls the transaction executor directly instead.

export class AsyncMutex {
  #tail: Promise<void> = Promise.resolve();

  /** Runs fn when every earlier holder has finished; releases even if fn throws. */
  run<T>(fn: () => T | Promise<T>): Promise<T> {
    const result = this.#tail.then(fn);
    this.#tail = result.then(() => undefined, () => undefined);
    return result;
  }
}
