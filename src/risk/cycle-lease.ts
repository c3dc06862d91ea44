// One risk-sync cycle at a time across processes and replicas, whoever starts it: the schedule,
// `POST /risk/sync` or `moatless risk sync --once` against the store. Each cycle runs under the
// lease kv `lease`/`risk.sync` — taken before the cycle starts, renewed while it runs, given up when
// it ends or fails — whose value says who runs it and since when, so a refused caller can say so.
// Owns: the lease's value and renewal. Must not: run a cycle without the lease, or keep it after.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { z } from 'zod';
import { createLease, LEASE_NS } from '../store/lease.ts';
import type { KeyValueStore } from '../store/ports.ts';
import { runRiskCycle, type CycleOptions, type CycleReport, type RiskSyncDeps } from './sync.ts';
import { parseStored } from '../store/parse-stored.ts';

export const RISK_LEASE = { ns: LEASE_NS, key: 'risk.sync' } as const;

const runnerSchema = z.object({
  id: z.string(),
  trigger: z.enum(['schedule', 'manual']),
  host: z.string(),
  startedAt: z.number(),
});

/** Who holds the lease: the process (`id`), what started the cycle, on which host, since when. */
export type CycleRunner = z.infer<typeof runnerSchema>;

/** Another cycle holds the lease; the message names it and says what to do. */
export class RiskSyncBusyError extends Error {
  readonly running: CycleRunner | null;
  constructor(running: CycleRunner | null) {
    const by = running?.trigger === 'schedule' ? 'by the schedule' : 'by hand';
    const who = running ? `started ${by} on ${running.host} at ${new Date(running.startedAt).toISOString()}` : 'started by another process';
    super(`a risk-sync cycle is already running (${who}); `
      + 'wait for it to end — `moatless risk status` shows its result — then run again');
    this.name = 'RiskSyncBusyError';
    this.running = running;
  }
}

/** The cycle holding the lease now; null when none does, or its holder is not a cycle runner (an older version). */
export async function runningCycle(kv: KeyValueStore): Promise<CycleRunner | null> {
  return parseStored(runnerSchema, await kv.get(RISK_LEASE.ns, RISK_LEASE.key));
}

export interface CycleLeaseOptions {
  trigger: CycleRunner['trigger'];
  /** The lease's length; renewed every third of it, so one slow renewal does not lose it. */
  ttlMs: number;
  /** This process's id in the lease; default a random id. */
  id?: string;
}

export interface HeldCycleLease {
  readonly runner: CycleRunner;
  /** Stops renewing and gives the lease up (only if still ours). */
  release(): Promise<void>;
}

/** Takes the lease and keeps renewing it until released; null while another cycle holds it. */
export async function takeCycleLease(
  deps: Pick<RiskSyncDeps, 'store' | 'now' | 'log'>, o: CycleLeaseOptions,
): Promise<HeldCycleLease | null> {
  const now = deps.now ?? Date.now;
  const runner: CycleRunner = { id: o.id ?? randomUUID(), trigger: o.trigger, host: hostname(), startedAt: now() };
  const lease = createLease(deps.store.kv, RISK_LEASE.key, o.ttlMs, { holder: JSON.stringify(runner), now });
  if (!(await lease.hold())) return null;
  // A renewal that fails or finds the lease taken over means this holder stalled past ttlMs.
  const lost = (reason: string) => deps.log?.warn({ reason }, 'risk sync: could not renew the lease while a cycle runs');
  const renew = () => void lease.hold().then(
    (held) => { if (!held) lost('another process took the lease over'); },
    (err: unknown) => lost(err instanceof Error ? err.message : String(err)),
  );
  const timer = setInterval(renew, Math.max(10, Math.round(o.ttlMs / 3)));
  timer.unref();
  return {
    runner,
    async release() {
      clearInterval(timer);
      await lease.release();
    },
  };
}

/** A cycle started by hand, under the lease; throws RiskSyncBusyError while another cycle runs. */
export async function runManualCycle(deps: RiskSyncDeps, opts: CycleOptions = {}): Promise<CycleReport> {
  const held = await takeCycleLease(deps, { trigger: 'manual', ttlMs: cycleLeaseTtl(deps.config.interval) });
  if (!held) throw new RiskSyncBusyError(await runningCycle(deps.store.kv));
  try {
    return await runRiskCycle(deps, opts);
  } finally {
    await held.release();
  }
}

/** The lease length for a configured interval: 1.5 intervals, as the schedule's ticks expect. */
export const cycleLeaseTtl = (intervalMs: number): number => Math.round(intervalMs * 1.5);
