// Small statistics for benchmark rounds: medians and spreads. Pure.

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** (max - min) / median, in percent: the baseline's measure of run-to-run noise. */
export function spreadPct(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  return ((Math.max(...xs) - Math.min(...xs)) / median(xs)) * 100;
}

/** Upper quartile − lower quartile (medians of the halves): how far apart the middle rounds are. */
export function interquartileRange(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const half = s.length >> 1;
  return median(s.slice(s.length - half)) - median(s.slice(0, half));
}
