// Admin API: the dashboard's overview — requests and decisions over time (from the access log),
// active sessions, and the risk sync's health with its users per level. Owns: choosing the
// bucket size and filling empty buckets. Must not: scan the access log row by row (the store
// counts per bucket).
import { z } from 'zod';
import { readHealth, staleness } from '../../risk/health.ts';
import { type ApiDeps, iso, isoOrNull, isoTime, timeQuery } from './common.ts';
import { ApiError } from './errors.ts';
import { defineRoute, type Route } from './route.ts';

const MINUTE = 60_000;
/** Bucket sizes, smallest first; the first that keeps the chart within MAX_BUCKETS wins. */
const SIZES = [MINUTE, 5 * MINUTE, 15 * MINUTE, 60 * MINUTE, 6 * 60 * MINUTE, 24 * 60 * MINUTE];
const MAX_BUCKETS = 96;
const MAX_WINDOW = 31 * 24 * 60 * MINUTE;

export const riskHealthSchema = z
  .object({
    configured: z.boolean().meta({ description: 'Whether moatless.yaml has a risk: section (the sync runs).' }),
    lastAttemptAt: isoTime.nullable(),
    lastSuccessAt: isoTime.nullable(),
    lastFullAt: isoTime.nullable(),
    lastMode: z.enum(['full', 'incremental']).nullable(),
    durationMs: z.number().nullable(),
    counts: z.object({ high: z.number().int(), medium: z.number().int(), low: z.number().int() }),
    needsFull: z.boolean(),
    consecutiveFailures: z.number().int(),
    lastChanges: z.number().int(),
    lastError: z.object({ code: z.string(), message: z.string(), at: isoTime }).nullable(),
    staleMs: z.number().nullable().meta({ description: 'Milliseconds since the last successful cycle; null: never.' }),
  })
  .meta({ id: 'RiskHealth' });

export async function riskHealthView(deps: ApiDeps): Promise<z.input<typeof riskHealthSchema>> {
  const h = await readHealth(deps.store.kv);
  return {
    configured: deps.runtime().config.risk !== undefined,
    lastAttemptAt: isoOrNull(h.lastAttemptAt),
    lastSuccessAt: isoOrNull(h.lastSuccessAt),
    lastFullAt: isoOrNull(h.lastFullAt),
    lastMode: h.lastMode,
    durationMs: h.durationMs,
    counts: h.counts,
    needsFull: h.needsFull,
    consecutiveFailures: h.consecutiveFailures,
    lastChanges: h.lastChanges,
    lastError: h.lastError ? { ...h.lastError, at: iso(h.lastError.at) } : null,
    staleMs: staleness(h, deps.now()),
  };
}

const overviewSchema = z
  .object({
    since: isoTime,
    until: isoTime,
    bucketMs: z.number().int(),
    series: z.array(
      z.object({
        time: isoTime,
        counts: z
          .record(z.string(), z.number().int())
          .meta({ description: 'Requests per action (allow, deny, block, authenticate, …).' }),
      }),
    ),
    totals: z.record(z.string(), z.number().int()),
    activeSessions: z.number().int().meta({ description: 'Sessions neither revoked nor expired, counted at most 5 seconds ago.' }),
    risk: riskHealthSchema,
  })
  .meta({ id: 'Overview' });

export function overviewRoutes(deps: ApiDeps): Route[] {
  return [
    defineRoute({
      method: 'get',
      path: '/overview',
      operationId: 'getOverview',
      tag: 'overview',
      access: 'read',
      summary: "Requests and decisions over time, active sessions and the risk sync's health",
      query: z.strictObject({ since: timeQuery, until: timeQuery }),
      response: overviewSchema,
      async handle({ query }) {
        const until = query.until ?? deps.now();
        const since = query.since ?? until - 24 * 60 * MINUTE;
        const bad =
          since >= until ? 'must be before until' : until - since > MAX_WINDOW ? 'the window is at most 31 days' : null;
        if (bad)
          throw new ApiError('invalid_request', 'the request query is invalid', [
            { path: 'query.since', message: bad },
          ]);
        const bucketMs = SIZES.find((s) => (until - since) / s <= MAX_BUCKETS) ?? SIZES.at(-1)!;
        const start = since - (since % bucketMs);
        const rows = await deps.store.accessLog.histogram({ since: start, until, bucketMs });
        const series = new Map<number, Record<string, number>>();
        for (let t = start; t <= until; t += bucketMs) series.set(t, {});
        const totals: Record<string, number> = {};
        for (const r of rows) {
          const cell = series.get(r.bucket);
          if (cell) cell[r.action] = (cell[r.action] ?? 0) + r.count;
          totals[r.action] = (totals[r.action] ?? 0) + r.count;
        }
        return {
          since: iso(start),
          until: iso(until),
          bucketMs,
          series: [...series].map(([t, counts]) => ({ time: iso(t), counts })),
          totals,
          activeSessions: await deps.activeSessions(),
          risk: await riskHealthView(deps),
        };
      },
    }),
  ];
}
