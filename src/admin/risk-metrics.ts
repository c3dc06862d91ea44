// The risk sync's health in /metrics (src/risk/health.ts, stored by whichever replica ran the last
// cycle): risky users per level, when the last cycle succeeded, how long it took and the failures
// in a row — what an alert on a stalled or failing sync needs
// (`time() - moatless_risk_sync_last_success_timestamp_seconds > 300`). Owns: those metric names.
// Must not: read anything but the stored health, and only at scrape time, bounded.
import { Gauge, type Registry } from 'prom-client';
import { readHealth, type RiskHealth } from '../risk/health.ts';
import type { KeyValueStore } from '../store/ports.ts';
import { withDeadline } from '../store/deadline.ts';

export function registerRiskMetrics(reg: Registry, kv: KeyValueStore, timeoutMs: number): void {
  // One read per scrape: the registry starts every collect() in registration order before awaiting
  // any, so the first gauge starts the read and the others wait for the same one.
  let read: Promise<RiskHealth | null> = Promise.resolve(null);
  // Read from the shared store: across cluster workers one figure ('first'), not a sum.
  const gauge = (name: string, help: string, value: (h: RiskHealth) => number, first = false) => new Gauge({
    name, help, registers: [reg], aggregator: 'first',
    async collect() {
      if (first) read = withDeadline(readHealth(kv), timeoutMs).catch(() => null);
      const h = await read;
      this.set(h ? value(h) : 0);
    },
  });
  gauge('moatless_risk_sync_last_success_timestamp_seconds', 'Unix time of the risk sync\'s last completed cycle (0: never).',
    (h) => (h.lastSuccessAt ?? 0) / 1000, true);
  gauge('moatless_risk_sync_last_duration_seconds', 'How long the last risk-sync cycle took (0: none yet).', (h) => (h.durationMs ?? 0) / 1000);
  gauge('moatless_risk_sync_consecutive_failures', 'Risk-sync cycles that failed in a row (0 after a success).', (h) => h.consecutiveFailures);
  new Gauge({
    name: 'moatless_risk_users', help: 'Risky users per level in the last completed risk-sync cycle (absent: none yet).',
    labelNames: ['level'], registers: [reg], aggregator: 'first',
    async collect() {
      const h = await read;
      this.reset();
      if (!h || h.lastSuccessAt === null) return;
      for (const level of ['high', 'medium', 'low'] as const) this.labels(level).set(h.counts[level]);
    },
  });
}
