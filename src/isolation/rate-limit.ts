// A token bucket for viewer messages: `rate` per second with a burst of one second's worth. A viewer
// that keeps flooding after the bucket is empty is cut off. Pure (clock passed in).
export class RateLimit {
  readonly #rate: number;
  #tokens: number;
  #at: number;
  #over = 0;

  constructor(rate: number, now: number) {
    this.#rate = rate;
    this.#tokens = rate;
    this.#at = now;
  }

  /** 'ok': handle it; 'drop': ignore it; 'close': the sender has flooded for a second's worth. */
  take(now: number): 'ok' | 'drop' | 'close' {
    this.#tokens = Math.min(this.#rate, this.#tokens + ((now - this.#at) * this.#rate) / 1000);
    this.#at = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      this.#over = Math.max(0, this.#over - 1);
      return 'ok';
    }
    return ++this.#over > this.#rate ? 'close' : 'drop';
  }
}
