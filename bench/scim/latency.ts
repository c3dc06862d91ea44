// Latency recording for the SCIM benchmark: a growable sample buffer per request kind and the
// nearest-rank percentiles of it. Pure (no clock of its own: callers pass durations in ms).

export class Latencies {
  #buf = new Float64Array(1024);
  #n = 0;

  add(ms: number): void {
    if (this.#n === this.#buf.length) {
      const next = new Float64Array(this.#buf.length * 2);
      next.set(this.#buf);
      this.#buf = next;
    }
    this.#buf[this.#n++] = ms;
  }

  get count(): number {
    return this.#n;
  }

  summary(): LatencySummary {
    return summarize(this.#buf.subarray(0, this.#n));
  }
}

export interface LatencySummary { count: number; p50: number; p99: number; max: number; mean: number }

/** Nearest-rank percentile (p in 0..100) of an ascending array; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(xs: ArrayLike<number>): LatencySummary {
  const s = Float64Array.from(xs).sort();
  let sum = 0;
  for (const x of s) sum += x;
  return { count: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s.length ? s[s.length - 1]! : Number.NaN, mean: s.length ? sum / s.length : Number.NaN };
}
