// A `/metrics` scrape in a cluster worker shows the whole instance: the worker asks the primary
// (src/cli/cluster-metrics-relay.ts), which collects every other worker's registry as JSON over
// IPC, and merges them with its own through prom-client's AggregatorRegistry.aggregate. Why not
// prom-client's clusterMetrics(): it runs only in the primary (which serves no requests here) and
// fails the whole scrape after 5 s when one worker is stuck; this answers with what arrived and
// says which worker did not (`moatless_cluster_worker_up`). Owns: the worker's half of the protocol
// and how figures combine. Must not: wait past its deadline, or sum what is per process.
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue, Registry } from 'prom-client';
import type { IpcChannel } from '../store/ipc-change-feed.ts';

export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];
export interface WorkerPart { worker: number; metrics: MetricsJson }

export type ClusterMetricsMessage =
  | { moatless: 'metrics-scrape'; id: string }
  | { moatless: 'metrics-collect'; id: string }
  | { moatless: 'metrics-part'; id: string; metrics: MetricsJson }
  | { moatless: 'metrics-gathered'; id: string; parts: WorkerPart[]; missing: number[] };

const KINDS = new Set(['metrics-scrape', 'metrics-collect', 'metrics-part', 'metrics-gathered']);

/** Narrows an IPC message; anything else on the channel (other protocols) is not ours. */
export function asClusterMetricsMessage(m: unknown): ClusterMetricsMessage | null {
  if (typeof m !== 'object' || m === null) return null;
  const r = m as Record<string, unknown>;
  if (!KINDS.has(r['moatless'] as string) || typeof r['id'] !== 'string' || r['id'].length > 64) return null;
  if (r['moatless'] === 'metrics-part' && !Array.isArray(r['metrics'])) return null;
  if (r['moatless'] === 'metrics-gathered' && (!Array.isArray(r['parts']) || !Array.isArray(r['missing']))) return null;
  return m as ClusterMetricsMessage;
}

/**
 * Counters and histograms add up across workers. Gauges and summaries describe one process (its
 * memory, event-loop lag, change-feed freshness) and get a `worker` label instead — unless declared
 * instance-wide with `aggregator: 'first'` (figures read from the shared store, the Node version).
 */
function perProcess(m: MetricsJson[number]): boolean {
  const type = String(m.type);
  return (type === 'gauge' && m.aggregator !== 'first') || type === 'summary';
}

function labelledByWorker(part: WorkerPart): MetricsJson {
  const worker = String(part.worker);
  return part.metrics.map((m) => perProcess(m)
    // 'sum' over one series per worker keeps each worker's value; the label keeps them apart.
    ? { ...m, aggregator: 'sum', values: m.values.map((v) => ({ ...v, labels: { ...v.labels, worker } })) }
    : m);
}

/** One registry for the instance: the parts merged, plus which workers answered. */
export function aggregateWorkers(parts: readonly WorkerPart[], missing: readonly number[], complete: boolean): Registry {
  const merged = AggregatorRegistry.aggregate<typeof Registry.PROMETHEUS_CONTENT_TYPE>(parts.map(labelledByWorker));
  const up: MetricValue<string>[] = [
    ...parts.map((p) => ({ labels: { worker: String(p.worker) }, value: 1 })),
    ...missing.map((w) => ({ labels: { worker: String(w) }, value: 0 })),
  ];
  const fixed = (name: string, help: string, values: MetricValue<string>[]) => merged.registerMetric({
    name, help, type: 'gauge', aggregator: 'sum', values,
    get: async () => ({ name, help, type: 'gauge', aggregator: 'sum', values }),
  } as never);
  // Like Prometheus' own `up`: alert on `moatless_cluster_worker_up == 0`.
  fixed('moatless_cluster_worker_up', 'Whether each cluster worker answered this scrape in time (0: its figures are missing).', up);
  fixed('moatless_cluster_scrape_complete', '1 when every worker answered this scrape; 0 when a worker or the primary did not, within the deadline.',
    [{ labels: {}, value: complete && missing.length === 0 ? 1 : 0 }]);
  return merged;
}

export interface ClusterScrapeOptions {
  /** This worker's cluster id (the `worker` label). */
  worker: number;
  local: Registry;
  channel: Pick<IpcChannel, 'onMessage'> & { send(message: ClusterMetricsMessage): void };
  /** Longest to wait for the primary's answer; the primary's own deadline is shorter. */
  timeoutMs?: number;
}

/** The worker's half: answers the primary's collect requests, and gathers the instance for a scrape. */
export class ClusterScrape {
  readonly #o: ClusterScrapeOptions;
  readonly #waiting = new Map<string, (m: Extract<ClusterMetricsMessage, { moatless: 'metrics-gathered' }>) => void>();
  readonly #off: () => void;

  constructor(o: ClusterScrapeOptions) {
    this.#o = o;
    this.#off = o.channel.onMessage((raw) => {
      const m = asClusterMetricsMessage(raw);
      if (m?.moatless === 'metrics-collect') void this.#answer(m.id);
      else if (m?.moatless === 'metrics-gathered') this.#waiting.get(m.id)?.(m);
    });
  }

  async #answer(id: string): Promise<void> {
    const metrics = await this.#o.local.getMetricsAsJSON().catch(() => []);
    try { this.#o.channel.send({ moatless: 'metrics-part', id, metrics }); } catch { /* primary gone: nobody asks any more */ }
  }

  /** The instance's registry: this worker's figures now, the others' as they arrived in time. */
  async gather(): Promise<Registry> {
    const id = randomUUID();
    const others = new Promise<{ parts: WorkerPart[]; missing: number[]; complete: boolean }>((resolve) => {
      const timer = setTimeout(() => { this.#waiting.delete(id); resolve({ parts: [], missing: [], complete: false }); }, this.#o.timeoutMs ?? 1_500);
      this.#waiting.set(id, (m) => { clearTimeout(timer); this.#waiting.delete(id); resolve({ parts: m.parts, missing: m.missing, complete: true }); });
      try {
        this.#o.channel.send({ moatless: 'metrics-scrape', id });
      } catch {
        clearTimeout(timer);
        this.#waiting.delete(id);
        resolve({ parts: [], missing: [], complete: false });
      }
    });
    const [mine, rest] = await Promise.all([this.#o.local.getMetricsAsJSON(), others]);
    return aggregateWorkers([{ worker: this.#o.worker, metrics: mine }, ...rest.parts], rest.missing, rest.complete);
  }

  close(): void {
    this.#off();
  }
}
