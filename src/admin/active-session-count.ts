// The number of active sessions (neither revoked nor expired) for the dashboard overview and the
// moatless_sessions_active gauge. Owns: how fresh that figure is. Counting 100,000 sessions
// exactly costs 48–68 ms on PostgreSQL (docs/benchmarks.md, "Admin"), too much for every overview
// request and every scrape, and neither needs it to the millisecond: one count per process at most
// every `maxAgeMs` (5 s by default), shared by every caller that asks meanwhile. Bound: the figure
// is at most maxAgeMs (plus one count's duration) old — sessions created, revoked or expired since
// show up in the next count after that. Must not: serve a failed count (callers see the error).
import type { Store } from '../store/ports.ts';

export const ACTIVE_SESSION_COUNT_MAX_AGE_MS = 5_000;

export type ActiveSessionCount = () => Promise<number>;

export function cachedActiveSessionCount(
  deps: { store: Pick<Store, 'sessions'>; now: () => number },
  maxAgeMs = ACTIVE_SESSION_COUNT_MAX_AGE_MS,
): ActiveSessionCount {
  let last: { value: number; at: number } | null = null;
  let pending: Promise<number> | null = null;
  return () => {
    const now = deps.now();
    // now < at: the clock went back (tests, NTP steps); count again rather than trust the age.
    if (last && now - last.at < maxAgeMs && now >= last.at) return Promise.resolve(last.value);
    pending ??= deps.store.sessions.listActive({ limit: 0, offset: 0 }, now).then(
      (r) => { last = { value: r.total, at: now }; return r.total; },
    ).finally(() => { pending = null; });
    return pending;
  };
}
