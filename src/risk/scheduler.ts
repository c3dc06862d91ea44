// Runs risk-sync cycles inside `moatless serve`: one runner at a time across replicas through a
// lease in the store (kv `lease`/`risk.sync`, renewed while held, 1.5 intervals long), so a dead
// holder is replaced within two intervals; a cycle runs when one interval has passed since the last
// attempt by any replica. Must not run two cycles at once in one process or log secrets.
import { createLease, LEASE_NS } from '../store/lease.ts';
import { readHealth } from './health.ts';
import { runRiskCycle, type CycleReport, type RiskSyncDeps } from './sync.ts';

export const RISK_LEASE = { ns: LEASE_NS, key: 'risk.sync' } as const;

export interface RiskSchedulerDeps extends RiskSyncDeps {
  intervalMs: number;
  /** This process's lease identity; default a random id. */
  holder?: string;
}

export interface RiskScheduler {
  readonly holder: string;
  /** Takes or renews the lease and runs a cycle when one is due; null when not run. */
  tick(): Promise<CycleReport | null>;
  /** Ticks now and every half interval (unref'd timer). */
  start(): void;
  /** Stops ticking, waits for a running cycle and gives the lease up. */
  stop(): Promise<void>;
}

export function createRiskScheduler(deps: RiskSchedulerDeps): RiskScheduler {
  const now = deps.now ?? Date.now;
  const kv = deps.store.kv;
  const lease = createLease(kv, RISK_LEASE.key, Math.round(deps.intervalMs * 1.5), { ...(deps.holder ? { holder: deps.holder } : {}), now });
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<CycleReport> | null = null;

  async function tick(): Promise<CycleReport | null> {
    const t = now();
    // Renewed even while a long full reconcile runs, so no other replica starts one beside it.
    if (!(await lease.hold())) return null;
    if (running) return null;
    const h = await readHealth(kv);
    if (h.lastAttemptAt !== null && t - h.lastAttemptAt < deps.intervalMs * 0.9) return null;
    running = runRiskCycle(deps).finally(() => { running = null; });
    return running;
  }

  const safeTick = () => void tick().catch((err: unknown) => deps.log?.error({ err: err instanceof Error ? err.message : String(err) }, 'risk sync: scheduling failed'));

  return {
    holder: lease.holder,
    tick,
    start() {
      if (timer) return;
      safeTick();
      timer = setInterval(safeTick, Math.max(10, Math.round(deps.intervalMs / 2)));
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
      await lease.release();
    },
  };
}
