// A ChangeFeed decorator for the workers of one host (`server.workers` > 1): besides the store's own
// cross-process path (SQLite: a 200 ms poll; PostgreSQL: asynchronous NOTIFY), every publish is
// relayed through the cluster primary to the sibling workers, and resolves only once each of them
// has delivered it to its subscribers — so a revocation holds on every worker before the revoking
// call returns. Owns: the worker side of that protocol and its message shapes. Must not: drop the
// store's own path (other hosts and the CLI rely on it) or wait forever for a silent primary.
import { randomUUID } from 'node:crypto';
import { ChangeFanout } from './change-fanout.ts';
import type { ChangeFeed, Store, StoreLogger } from './ports.ts';

/** worker → primary: fan this out; primary → worker: deliver it; worker → primary: delivered. */
export type ClusterChangeMessage =
  | { moatless: 'change'; id: string; topic: string; payload: unknown }
  | { moatless: 'change-deliver'; id: string; topic: string; payload: unknown }
  | { moatless: 'change-applied'; id: string }
  | { moatless: 'change-done'; id: string; missed: number }
  | { moatless: 'feed-ready' };

/** The IPC link to the primary (process.send / process.on('message') in a cluster worker). */
export interface IpcChannel {
  send(message: ClusterChangeMessage): void;
  onMessage(handler: (message: unknown) => void): () => void;
}

/** Narrows an IPC message; anything else on the channel (other protocols) is not ours. */
export function asClusterChangeMessage(m: unknown): ClusterChangeMessage | null {
  if (typeof m !== 'object' || m === null) return null;
  const r = m as Record<string, unknown>;
  const id = typeof r['id'] === 'string' && r['id'].length <= 64;
  switch (r['moatless']) {
    case 'change':
    case 'change-deliver':
      return id && typeof r['topic'] === 'string' ? (m as ClusterChangeMessage) : null;
    case 'change-applied':
      return id ? (m as ClusterChangeMessage) : null;
    case 'change-done':
      return id && typeof r['missed'] === 'number' ? (m as ClusterChangeMessage) : null;
    case 'feed-ready':
      return m as ClusterChangeMessage;
    default:
      return null;
  }
}

export interface IpcChangeFeedOptions {
  /** Longest a publish waits for the primary's answer; the primary itself gives up after ~1 s. */
  timeoutMs?: number;
  logger?: StoreLogger;
}

export class IpcChangeFeed implements ChangeFeed {
  readonly #inner: ChangeFeed;
  readonly #channel: IpcChannel;
  readonly #fanout: ChangeFanout;
  readonly #timeoutMs: number;
  readonly #logger: StoreLogger | undefined;
  readonly #pending = new Map<string, () => void>();
  readonly #detach: () => void;

  constructor(inner: ChangeFeed, channel: IpcChannel, opts: IpcChangeFeedOptions = {}) {
    this.#inner = inner;
    this.#channel = channel;
    this.#fanout = new ChangeFanout(opts.logger);
    this.#timeoutMs = opts.timeoutMs ?? 1_500;
    this.#logger = opts.logger;
    this.#detach = channel.onMessage((raw) => this.#onMessage(raw));
    // From now on the primary includes this worker in fan-outs; nothing is cached before this.
    channel.send({ moatless: 'feed-ready' });
  }

  /**
   * Store path first (local subscribers synchronously, other hosts and the CLI), then the siblings.
   * A sibling may also see the notice later through the store's own path: handlers are idempotent.
   */
  async publish(topic: string, payload: unknown): Promise<void> {
    await this.#inner.publish(topic, payload);
    await this.relay(topic, payload);
  }

  /** The sibling half of publish, for changes the store already logged (in a transaction). */
  async relay(topic: string, payload: unknown): Promise<void> {
    const id = randomUUID();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        this.#logger?.warn({ topic, timeoutMs: this.#timeoutMs }, 'cluster primary did not confirm a change fan-out; siblings rely on the store feed');
        resolve();
      }, this.#timeoutMs);
      timer.unref();
      this.#pending.set(id, () => {
        clearTimeout(timer);
        resolve();
      });
      try {
        this.#channel.send({ moatless: 'change', id, topic, payload });
      } catch (err) {
        // The primary is gone (we are shutting down): the store path still carries the notice.
        this.#logger?.warn({ err, topic }, 'cannot reach the cluster primary for a change fan-out');
        this.#pending.get(id)?.();
      }
    });
  }

  subscribe(topic: string, handler: (payload: unknown) => void): () => void {
    const fromStore = this.#inner.subscribe(topic, handler);
    const fromSiblings = this.#fanout.subscribe(topic, handler);
    return () => {
      fromStore();
      fromSiblings();
    };
  }

  onReconnect(handler: () => void): () => void {
    return this.#inner.onReconnect(handler);
  }

  isFresh(): boolean {
    return this.#inner.isFresh();
  }

  close(): void {
    this.#detach();
    for (const done of [...this.#pending.values()]) done();
    this.#pending.clear();
  }

  #onMessage(raw: unknown): void {
    const m = asClusterChangeMessage(raw);
    if (!m) return;
    if (m.moatless === 'change-deliver') {
      // Subscribers run synchronously (ChangeFanout isolates their errors); then confirm.
      this.#fanout.deliver(m.topic, m.payload);
      this.#channel.send({ moatless: 'change-applied', id: m.id });
    } else if (m.moatless === 'change-done') {
      if (m.missed > 0) this.#logger?.warn({ missed: m.missed }, 'some sibling workers did not confirm a change in time');
      this.#pending.get(m.id)?.();
      this.#pending.delete(m.id);
    }
  }
}

/** The same store with its change feed relayed to sibling workers; close() detaches the relay too. */
export function withIpcChangeFeed(store: Store, channel: IpcChannel, opts: IpcChangeFeedOptions = {}): Store {
  const changes = new IpcChangeFeed(store.changes, channel, opts);
  return {
    dialect: store.dialect, sessions: store.sessions, keys: store.keys, accessLog: store.accessLog, kv: store.kv, directory: store.directory,
    admin: store.admin, gateway: store.gateway, tunnels: store.tunnels,
    changes,
    async transaction(fn) {
      // Changes published inside commit with it (the store's path); the siblings hear of them after.
      const published: Array<[string, unknown]> = [];
      const out = await store.transaction((tx) => fn({
        ...tx,
        changes: { publish: async (topic, payload) => { published.push([topic, payload]); await tx.changes.publish(topic, payload); } },
      }));
      for (const [topic, payload] of published) await changes.relay(topic, payload);
      return out;
    },
    async close() {
      changes.close();
      await store.close();
    },
  };
}

/** The worker's channel to its cluster primary. */
export function processChannel(): IpcChannel {
  return {
    send: (m) => {
      if (!process.connected || !process.send) throw new Error('no IPC channel to the cluster primary');
      process.send(m);
    },
    onMessage: (h) => {
      process.on('message', h);
      return () => { process.off('message', h); };
    },
  };
}
