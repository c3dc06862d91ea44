// Runs risk-sync cycles inside `moatless serve`: every replica ticks every half interval, and a
// cycle runs when one interval has passed since the last attempt by any replica — under the cycle
// lease (cycle-lease.ts, kv `lease`/`risk.sync`, 1.5 intervals long, renewed while the cycle runs),
// so one cycle runs at a time across replicas and beside hand-started ones. A holder that dies
// mid-cycle is replaced once its lease runs out. Must not run two cycles at once or log secrets.
import { cycleLeaseTtl, takeCycleLease } from './cycle-lease.ts';
import { readHealth, type RiskHealth } from './health.ts';
import { runRiskCycle, type CycleReport, type RiskSyncDeps } from './sync.ts';

export { RISK_LEASE } from './cycle-lease.ts';

export interface RiskSchedulerDeps extends RiskSyncDeps {
  intervalMs: number;
  /** This process's id in the lease; default a random id. */
  holder?: string;
}

export interface RiskScheduler {
  /** Runs a cycle when one is due and no other cycle holds the lease; null when not run. */
  tick(): Promise<CycleReport | null>;
  /** Ticks now and every half interval (unref'd timer). */
  start(): void;
  /** Stops ticking and waits for a running cycle (which gives the lease up as it ends). */
  stop(): Promise<void>;
}

export function createRiskScheduler(deps: RiskSchedulerDeps): RiskScheduler {
  const now = deps.now ?? Date.now;
  const kv = deps.store.kv;
  const due = (h: RiskHealth) => h.lastAttemptAt === null || now() - h.lastAttemptAt >= deps.intervalMs * 0.9;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<CycleReport> | null = null;

  async function tick(): Promise<CycleReport | null> {
    if (running || !due(await readHealth(kv))) return null;
    const ttlMs = cycleLeaseTtl(deps.intervalMs);
    const held = await takeCycleLease(deps, { trigger: 'schedule', ttlMs, ...(deps.holder ? { id: deps.holder } : {}) });
    if (!held) return null;
    // Another replica may have finished a cycle between the health read and the claim.
    if (running || !due(await readHealth(kv))) {
      await held.release();
      return null;
    }
    running = runRiskCycle(deps).finally(async () => {
      running = null;
      await held.release().catch((err: unknown) => {
        deps.log?.warn({ err: err instanceof Error ? err.message : String(err) }, 'risk sync: could not give the lease up; it runs out');
      });
    });
    return running;
  }

  const safeTick = () => void tick().catch((err: unknown) => deps.log?.error({ err: err instanceof Error ? err.message : String(err) }, 'risk sync: scheduling failed'));

  return {
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
      await running?.catch(() => {});
    },
  };
}
