// The risk sync's health and watermark, kept in the store's kv so every replica, `moatless risk
// status` and the dashboard read the same: last success, duration, counts per level, the last
// error, and whether the next cycle must be a full reconcile. Must not hold secrets or tokens.
import { z } from 'zod';
import type { KeyValueStore } from '../store/ports.ts';
import { parseStored } from '../store/parse-stored.ts';

export const RISK_NS = 'risk';
const HEALTH_KEY = 'health';

const healthSchema = z.object({
  lastAttemptAt: z.number().nullable(),
  lastSuccessAt: z.number().nullable(),
  lastFullAt: z.number().nullable(),
  lastCycleId: z.string().nullable(),
  lastMode: z.enum(['full', 'incremental']).nullable(),
  durationMs: z.number().nullable(),
  counts: z.object({ high: z.number(), medium: z.number(), low: z.number() }),
  /** Highest riskLastUpdatedDateTime read by a completed cycle (epoch ms). */
  watermark: z.number().nullable(),
  /** An output failed part way: the next cycle reconciles in full. */
  needsFull: z.boolean(),
  lastError: z.object({ code: z.string(), message: z.string(), at: z.number() }).nullable(),
  consecutiveFailures: z.number(),
  lastChanges: z.number(),
});

export type RiskHealth = z.infer<typeof healthSchema>;

export const EMPTY_HEALTH: RiskHealth = {
  lastAttemptAt: null, lastSuccessAt: null, lastFullAt: null, lastCycleId: null, lastMode: null, durationMs: null,
  counts: { high: 0, medium: 0, low: 0 }, watermark: null, needsFull: true, lastError: null, consecutiveFailures: 0, lastChanges: 0,
};

/** Stored health; a missing or unreadable entry reads as "never ran" (the next cycle is full). */
export async function readHealth(kv: KeyValueStore): Promise<RiskHealth> {
  return parseStored(healthSchema, await kv.get(RISK_NS, HEALTH_KEY)) ?? { ...EMPTY_HEALTH };
}

export async function writeHealth(kv: KeyValueStore, h: RiskHealth): Promise<void> {
  await kv.set(RISK_NS, HEALTH_KEY, JSON.stringify(h));
}

/** Milliseconds since the last successful cycle (null: never). */
export function staleness(h: RiskHealth, now: number): number | null {
  return h.lastSuccessAt === null ? null : now - h.lastSuccessAt;
}
