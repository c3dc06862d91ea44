// Request counts and latency per app and decision, recorded on the proxy path. Owns: one cell per
// (app, action) and its rendering as a Prometheus counter and histogram. Must not: allocate or build
// label strings per request — prom-client's own children hash their labels on every observe(), so
// the hot path writes plain numbers here and prom-client only formats them at scrape time.

/** Seconds; Prometheus' usual spread from a cached 1 ms answer to a slow 10 s upstream. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export interface RequestCell {
  count: number;
  sumSeconds: number;
  /** Non-cumulative counts per bucket; the last slot is +Inf. */
  readonly buckets: Float64Array;
}

/** What prom-client's Registry reads from a metric (its own Metric classes return the same shape). */
export interface ExportedMetric {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: ExportedValue[] }>;
}
interface ExportedValue { metricName?: string; labels: Record<string, string | number>; value: number }

export class RequestMetrics {
  /** app → action → cell. Both keys come from config and a closed set of actions: bounded. */
  readonly #cells = new Map<string, Map<string, RequestCell>>();

  /** The cell for app and action, created once; callers may keep it (the "cached child"). */
  cell(app: string, action: string): RequestCell {
    let byAction = this.#cells.get(app);
    if (!byAction) this.#cells.set(app, (byAction = new Map()));
    let c = byAction.get(action);
    if (!c) byAction.set(action, (c = { count: 0, sumSeconds: 0, buckets: new Float64Array(LATENCY_BUCKETS.length + 1) }));
    return c;
  }

  /** One finished request: two map lookups, a short bucket scan, three additions. */
  observe(app: string, action: string, durationMs: number): void {
    const c = this.cell(app, action);
    const s = durationMs > 0 ? durationMs / 1000 : 0;
    let i = 0;
    while (i < LATENCY_BUCKETS.length && s > LATENCY_BUCKETS[i]!) i++;
    c.buckets[i]!++;
    c.count++;
    c.sumSeconds += s;
  }

  #each(fn: (app: string, action: string, c: RequestCell) => void): void {
    for (const [app, byAction] of this.#cells) for (const [action, c] of byAction) fn(app, action, c);
  }

  /** `moatless_http_requests_total{app, action}` and `moatless_http_request_duration_seconds{app, action}`. */
  exported(): ExportedMetric[] {
    const counter = 'moatless_http_requests_total';
    const histogram = 'moatless_http_request_duration_seconds';
    return [
      metric(counter, 'Requests to protected apps, by app and access decision (action).', 'counter', () => {
        const values: ExportedValue[] = [];
        this.#each((app, action, c) => values.push({ labels: { app, action }, value: c.count }));
        return values;
      }),
      metric(histogram, 'Time from request to response decision and upstream answer, by app and action.', 'histogram', () => {
        const values: ExportedValue[] = [];
        this.#each((app, action, c) => {
          let cumulative = 0;
          LATENCY_BUCKETS.forEach((le, i) => {
            cumulative += c.buckets[i]!;
            values.push({ metricName: `${histogram}_bucket`, labels: { app, action, le }, value: cumulative });
          });
          values.push({ metricName: `${histogram}_bucket`, labels: { app, action, le: '+Inf' }, value: c.count });
          values.push({ metricName: `${histogram}_sum`, labels: { app, action }, value: c.sumSeconds });
          values.push({ metricName: `${histogram}_count`, labels: { app, action }, value: c.count });
        });
        return values;
      }),
    ];
  }
}

function metric(name: string, help: string, type: 'counter' | 'histogram', values: () => ExportedValue[]): ExportedMetric {
  return { name, help, type, aggregator: 'sum', get: async () => ({ name, help, type, aggregator: 'sum', values: values() }) };
}
