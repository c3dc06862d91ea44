// The process's Prometheus registry: proxy request figures (request-metrics.ts), active sessions,
// SCIM requests, change-feed freshness, the risk sync's health and Node's process metrics. Owns: metric names and the
// scrape-time reads. Must not: query the store on the request path (store reads happen at scrape
// time, bounded), or use prom-client's global registry (tests run several servers in one process).
import { collectDefaultMetrics, Counter, Gauge, Registry, type Metric } from 'prom-client';
import type { Store } from '../store/ports.ts';
import { RequestMetrics } from './request-metrics.ts';
import { withDeadline } from '../store/deadline.ts';
import { registerRiskMetrics } from './risk-metrics.ts';
import { cachedActiveSessionCount, type ActiveSessionCount } from './active-session-count.ts';

export interface MetricsDeps {
  store: Pick<Store, 'sessions' | 'changes' | 'kv'>;
  now: () => number;
  /** The active-session figure; default: a per-process count at most 5 s old (active-session-count.ts). */
  activeSessions?: ActiveSessionCount;
  /** Longest a scrape-time store read may take before the figure is left out. */
  storeTimeoutMs?: number;
  /** false: leave out Node's process metrics (tests that compare whole outputs). */
  processMetrics?: boolean;
}

export class Metrics {
  readonly registry = new Registry();
  readonly requests = new RequestMetrics();
  /** The access log's drop counts, read at scrape time; the composition root points it at the log. */
  accessLogDrops: () => { store: number; stdout: number } = () => ({ store: 0, stdout: 0 });
  readonly #scim: Counter<'method' | 'status'>;
  /** method → status → bound inc(): SCIM answers come from a small closed set. */
  readonly #scimChildren = new Map<string, Map<number, () => void>>();

  constructor(deps: MetricsDeps) {
    const reg = this.registry;
    const timeout = deps.storeTimeoutMs ?? 1000;
    const activeSessions = deps.activeSessions ?? cachedActiveSessionCount(deps);
    // Our metric objects have prom-client's exported shape; its types only know its own classes.
    for (const m of this.requests.exported()) reg.registerMetric(m as unknown as Metric);
    this.#scim = new Counter({ name: 'moatless_scim_requests_total', help: 'SCIM requests answered, by method and HTTP status.', labelNames: ['method', 'status'], registers: [reg] });
    new Gauge({
      name: 'moatless_sessions_active', help: 'Sessions neither revoked nor expired (global and app), counted in the store at most 5 s before the scrape.', registers: [reg],
      // Every worker reads the same store: across a cluster this is one figure, not a sum.
      aggregator: 'first',
      async collect() {
        try {
          this.set(await withDeadline(activeSessions(), timeout));
        } catch {
          // Leave the figure out rather than report a wrong one; /readyz says why.
          this.reset();
        }
      },
    });
    new Gauge({
      name: 'moatless_change_feed_fresh', help: '1 while this process is known to have read every change (revocations, SCIM) within the feed deadline.', registers: [reg],
      collect() { this.set(deps.store.changes.isFresh() ? 1 : 0); },
    });
    registerRiskMetrics(reg, deps.store.kv, timeout);
    const drops = () => this.accessLogDrops();
    new Counter({
      name: 'moatless_access_log_dropped_total', help: 'Access-log entries dropped because a sink could not keep up (sink="store": rows, "stdout": lines).',
      labelNames: ['sink'], registers: [reg],
      collect() {
        const d = drops();
        this.reset();
        this.inc({ sink: 'store' }, d.store);
        this.inc({ sink: 'stdout' }, d.stdout);
      },
    });
    if (deps.processMetrics !== false) collectDefaultMetrics({ register: reg, prefix: 'moatless_' });
  }

  /** One SCIM answer. Not on the proxy path; children are still kept. */
  scimRequest(method: string, status: number): void {
    let byStatus = this.#scimChildren.get(method);
    if (!byStatus) this.#scimChildren.set(method, (byStatus = new Map()));
    let inc = byStatus.get(status);
    if (!inc) {
      const child = this.#scim.labels(method, String(status));
      byStatus.set(status, (inc = () => child.inc()));
    }
    inc();
  }

  /** In a cluster worker: the whole instance's figures (cluster-scrape.ts); null: this process's. */
  instance: (() => Promise<Registry>) | null = null;

  async render(): Promise<{ contentType: string; body: string }> {
    const reg = this.instance ? await this.instance() : this.registry;
    return { contentType: reg.contentType, body: await reg.metrics() };
  }
}
