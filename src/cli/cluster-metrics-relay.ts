// The primary's half of the instance-wide `/metrics` scrape (src/admin/cluster-scrape.ts): a worker
// asks, every other worker is told to send its registry, and the asker gets what arrived by the
// deadline plus the ids of the workers that did not answer. Owns: who waits for whom. Must not:
// let one stuck or exiting worker hold a scrape past the deadline.
import type { Logger } from 'pino';
import { asClusterMetricsMessage, type ClusterMetricsMessage, type WorkerPart } from '../admin/cluster-scrape.ts';

export interface MetricsPeer {
  id: number;
  send(message: ClusterMetricsMessage): void;
}

interface Pending {
  origin: MetricsPeer;
  waiting: Set<number>;
  parts: WorkerPart[];
  timer: NodeJS.Timeout;
}

export class MetricsRelay {
  readonly #pending = new Map<string, Pending>();
  readonly #peers: () => Iterable<MetricsPeer>;
  readonly #timeoutMs: number;
  readonly #logger: Pick<Logger, 'warn'>;

  constructor(opts: { peers: () => Iterable<MetricsPeer>; timeoutMs?: number; logger: Pick<Logger, 'warn'> }) {
    this.#peers = opts.peers;
    this.#timeoutMs = opts.timeoutMs ?? 1_000;
    this.#logger = opts.logger;
  }

  /** Handles one IPC message from `peer`; returns false when it was not part of this protocol. */
  onMessage(peer: MetricsPeer, raw: unknown): boolean {
    const m = asClusterMetricsMessage(raw);
    if (!m) return false;
    if (m.moatless === 'metrics-scrape') this.#collect(peer, m.id);
    else if (m.moatless === 'metrics-part') this.#arrived(peer.id, m.id, { worker: peer.id, metrics: m.metrics });
    return true;
  }

  /** A worker exited: no scrape waits for it any more (it is reported missing). */
  remove(workerId: number): void {
    for (const [id, p] of this.#pending) if (p.waiting.has(workerId)) this.#settleIfDone(id, p);
  }

  #collect(origin: MetricsPeer, id: string): void {
    if (this.#pending.has(id)) return;
    const p: Pending = { origin, waiting: new Set(), parts: [], timer: setTimeout(() => this.#finish(id, 'deadline'), this.#timeoutMs) };
    p.timer.unref();
    this.#pending.set(id, p);
    for (const peer of this.#peers()) {
      if (peer.id === origin.id) continue;
      p.waiting.add(peer.id);
      try {
        peer.send({ moatless: 'metrics-collect', id });
      } catch {
        // Its channel just closed: it stays in `waiting` and is reported missing.
      }
    }
    if (p.waiting.size === 0) this.#finish(id, 'done');
  }

  #arrived(workerId: number, id: string, part: WorkerPart): void {
    const p = this.#pending.get(id);
    if (!p || !p.waiting.delete(workerId)) return;
    p.parts.push(part);
    if (p.waiting.size === 0) this.#finish(id, 'done');
  }

  #settleIfDone(id: string, p: Pending): void {
    // An exited worker will not answer; finish now rather than at the deadline.
    const live = new Set([...this.#peers()].map((peer) => peer.id));
    if ([...p.waiting].every((w) => !live.has(w))) this.#finish(id, 'done');
  }

  #finish(id: string, why: 'done' | 'deadline'): void {
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    clearTimeout(p.timer);
    const missing = [...p.waiting];
    if (why === 'deadline') this.#logger.warn({ workers: missing, timeoutMs: this.#timeoutMs }, 'workers did not answer a metrics scrape in time; the scrape shows them as down');
    try {
      p.origin.send({ moatless: 'metrics-gathered', id, parts: p.parts, missing });
    } catch {
      // The asker exited; nobody waits any more.
    }
  }
}
