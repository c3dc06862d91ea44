// The primary's half of the worker change fan-out (src/store/ipc-change-feed.ts): a change from one
// worker goes to every other ready worker, and the origin hears back once all of them delivered it
// or the deadline passed (logged). Owns: who waits for whom. Must not: block on a dead worker — an
// exited worker is dropped from every wait (its replacement starts with an empty cache).
import type { Logger } from 'pino';
import { asClusterChangeMessage, type ClusterChangeMessage } from '../store/ipc-change-feed.ts';

export interface RelayPeer {
  id: number;
  send(message: ClusterChangeMessage): void;
}

interface Pending {
  origin: RelayPeer;
  waiting: Set<number>;
  topic: string;
  timer: NodeJS.Timeout;
}

export class ChangeRelay {
  readonly #ready = new Map<number, RelayPeer>();
  readonly #pending = new Map<string, Pending>();
  readonly #timeoutMs: number;
  readonly #logger: Pick<Logger, 'warn'>;

  constructor(opts: { timeoutMs?: number; logger: Pick<Logger, 'warn'> }) {
    this.#timeoutMs = opts.timeoutMs ?? 1_000;
    this.#logger = opts.logger;
  }

  /** Handles one IPC message from `peer`; returns false when it was not part of this protocol. */
  onMessage(peer: RelayPeer, raw: unknown): boolean {
    const m = asClusterChangeMessage(raw);
    if (!m) return false;
    if (m.moatless === 'feed-ready') this.#ready.set(peer.id, peer);
    else if (m.moatless === 'change') this.#fanOut(peer, m.id, m.topic, m.payload);
    else if (m.moatless === 'change-applied') this.#applied(peer.id, m.id);
    return true;
  }

  /** A worker exited: nobody waits for it any more. */
  remove(workerId: number): void {
    this.#ready.delete(workerId);
    for (const id of [...this.#pending.keys()]) this.#applied(workerId, id);
  }

  #fanOut(origin: RelayPeer, id: string, topic: string, payload: unknown): void {
    const waiting = new Set<number>();
    for (const peer of this.#ready.values()) {
      if (peer.id === origin.id) continue;
      try {
        peer.send({ moatless: 'change-deliver', id, topic, payload });
        waiting.add(peer.id);
      } catch {
        // Its channel just closed: it is exiting, and its cache goes with it.
      }
    }
    if (waiting.size === 0) return safeSend(origin, { moatless: 'change-done', id, missed: 0 });
    const timer = setTimeout(() => {
      const p = this.#pending.get(id);
      if (!p) return;
      this.#pending.delete(id);
      this.#logger.warn({ topic, workers: [...p.waiting], timeoutMs: this.#timeoutMs }, 'workers did not confirm a change in time; they will see it through the store feed');
      safeSend(origin, { moatless: 'change-done', id, missed: p.waiting.size });
    }, this.#timeoutMs);
    timer.unref();
    this.#pending.set(id, { origin, waiting, topic, timer });
  }

  #applied(workerId: number, id: string): void {
    const p = this.#pending.get(id);
    if (!p || !p.waiting.delete(workerId) || p.waiting.size > 0) return;
    clearTimeout(p.timer);
    this.#pending.delete(id);
    safeSend(p.origin, { moatless: 'change-done', id, missed: 0 });
  }
}

function safeSend(peer: RelayPeer, m: ClusterChangeMessage): void {
  try {
    peer.send(m);
  } catch {
    // The origin exited before hearing back; nothing waits any more.
  }
}
