// Admin API: risky users per level over time, for the dashboard's chart. The store keeps the
// current level of every user and each level transition (risk_changes, output `level`), so the
// count at any earlier moment is the current count with the later transitions undone.
// Owns: that reconstruction and the bucket choice. Must not: read Graph or start a cycle.
import { z } from 'zod';
import { readHealth } from '../../risk/health.ts';
import type { GroupLevel } from '../../store/ports-risk.ts';
import { type ApiDeps, iso, isoTime, timeQuery } from './common.ts';
import { ApiError } from './errors.ts';
import { defineRoute, type Route } from './route.ts';

const HOUR = 3_600_000;
/** Bucket sizes, smallest first; the first that keeps the chart within MAX_POINTS wins. */
const SIZES = [5 * 60_000, 15 * 60_000, HOUR, 6 * HOUR, 24 * HOUR];
const MAX_POINTS = 96;
const MAX_WINDOW = 92 * 24 * HOUR;
/** Transitions read at most; past it the oldest points are marked incomplete. */
const MAX_CHANGES = 200_000;

type Counts = Record<GroupLevel, number>;
const countsSchema = z.object({ high: z.number().int(), medium: z.number().int(), low: z.number().int() });

export function riskHistoryRoute(deps: ApiDeps): Route {
  return defineRoute({
    method: 'get', path: '/risk/history', operationId: 'getRiskHistory', tag: 'risk', access: 'read',
    summary: 'Risky users per level over time (default: the last 7 days), for charts',
    query: z.strictObject({ since: timeQuery, until: timeQuery }),
    response: z.object({
      since: isoTime, until: isoTime, bucketMs: z.number().int(),
      points: z.array(z.object({ time: isoTime, counts: countsSchema })).meta({ description: 'Users per level at each time, oldest first; the last point is now.' }),
      complete: z.boolean().meta({ description: 'false: the change log did not reach back to since (purged or too long); older points are a lower bound.' }),
    }).meta({ id: 'RiskHistory' }),
    async handle({ query }) {
      const until = Math.min(query.until ?? deps.now(), deps.now());
      const since = query.since ?? until - 7 * 24 * HOUR;
      const bad = since >= until ? 'must be before until' : until - since > MAX_WINDOW ? 'the window is at most 92 days' : null;
      if (bad) throw new ApiError('invalid_request', 'the request query is invalid', [{ path: 'query.since', message: bad }]);
      const bucketMs = SIZES.find((s) => (until - since) / s <= MAX_POINTS) ?? SIZES.at(-1)!;
      const now: Counts = { ...(await readHealth(deps.store.kv)).counts };
      // Newest first: every transition after a point is undone before that point is read.
      const changes = await deps.store.directory.risk.changes({ output: 'level', since, limit: MAX_CHANGES });
      const times: number[] = [];
      for (let t = until; t >= since; t -= bucketMs) times.push(t);
      const points: Array<{ time: string; counts: Counts }> = [];
      const running = { ...now };
      let i = 0;
      for (const t of times) {
        for (; i < changes.length && changes[i]!.time > t; i++) {
          const c = changes[i]!;
          if (c.to) running[c.to]--;
          if (c.from) running[c.from]++;
        }
        points.push({ time: iso(t), counts: { high: Math.max(0, running.high), medium: Math.max(0, running.medium), low: Math.max(0, running.low) } });
      }
      return { since: iso(times.at(-1) ?? since), until: iso(until), bucketMs, points: points.reverse(), complete: changes.length < MAX_CHANGES };
    },
  });
}
