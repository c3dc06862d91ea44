// `moatless serve` with `server.workers` > 1: a node:cluster primary that migrates the store once,
// runs the dev services alone, forks the workers (they share the listeners, round-robin), relays
// change notices between them (cluster-relay.ts) and `/metrics` scrapes (cluster-metrics-relay.ts), forwards reload and drain, and restarts a worker
// that crashes, with backoff. The worker side boots the normal composition root with the relayed
// change feed. Must not: serve requests in the primary, or hold business logic.
import { GRAPH_POLLER_ENV, isGraphPollerWorker } from '../config/env.ts';
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { createLogger } from './logger.ts';
import type { ResolvedConfig } from '../config/load.ts';
import { openStore } from '../store/open-store.ts';
import { processChannel, withIpcChangeFeed } from '../store/ipc-change-feed.ts';
import { ChangeRelay } from './cluster-relay.ts';
import { MetricsRelay } from './cluster-metrics-relay.ts';
import { ClusterScrape } from '../admin/cluster-scrape.ts';
import { startMoatless, storeConfigOf, type ComposeOptions, type MoatlessProcess } from './compose.ts';
import { startDevServices } from './dev-services.ts';
import { withApiObjects } from './layered-config.ts';
import { guardProcess } from './process-guard.ts';

/** Control messages between the primary and a worker (change fan-out has its own, see the relay). */
type ControlMessage =
  | { moatless: 'listening'; urls: string[]; addresses: string[] }
  | { moatless: 'reloaded'; ok: boolean; issues?: string }
  | { moatless: 'reload' }
  | { moatless: 'stop' };

function asControl(m: unknown): ControlMessage | null {
  if (typeof m !== 'object' || m === null) return null;
  const kind = (m as { moatless?: unknown }).moatless;
  return kind === 'listening' || kind === 'reloaded' || kind === 'reload' || kind === 'stop' ? (m as ControlMessage) : null;
}

export function workerCount(setting: number | 'auto'): number {
  return setting === 'auto' ? Math.max(1, availableParallelism()) : setting;
}

export const isClusterWorker = (): boolean => cluster.isWorker;

export interface PrimaryOptions {
  workers: number;
  out: (line: string) => void;
  /** Called once, when every worker listens: print the banner (of the file plus the store's API objects). */
  onListening: (urls: string[], served: ResolvedConfig) => void;
  logger?: Logger;
  /** Restart delay after a crash: min, doubled per crash within a minute, up to max. */
  backoffMs?: { min: number; max: number };
}

export async function runClusterPrimary(cfg: ResolvedConfig, o: PrimaryOptions): Promise<number> {
  const logger = o.logger ?? createLogger(cfg, { base: { role: 'primary' }, buffered: false });
  const backoff = o.backoffMs ?? { min: 500, max: 30_000 };
  // Migrations run here, once, so workers never race each other through them.
  const store = await openStore(storeConfigOf(cfg), { logger });
  const dev = await startDevServices(cfg, o.out).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  const relay = new ChangeRelay({ logger });
  const crashes: number[] = [];
  const live = new Set<Worker>();
  const peerOf = (w: Worker) => ({ id: w.id, send: (m: unknown) => { w.send(m as never); } });
  const metricsRelay = new MetricsRelay({ logger, peers: () => [...live].map(peerOf) });
  let stopping = false;
  let started = false;
  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((r) => (finish = r));

  // Exactly one worker polls Graph for group changes; its replacement inherits the role.
  let pollerId: number | null = null;
  const fork = (poller = false): Worker => {
    const w = cluster.fork(poller ? { [GRAPH_POLLER_ENV]: '1' } : {});
    if (poller) pollerId = w.id;
    live.add(w);
    const peer = peerOf(w);
    w.on('message', (raw: unknown) => {
      if (relay.onMessage(peer, raw) || metricsRelay.onMessage(peer, raw)) return;
      const m = asControl(raw);
      if (m?.moatless === 'listening') listening(w, m.urls, m.addresses);
      else if (m?.moatless === 'reloaded') o.out(m.ok ? `moatless: worker ${w.id}: config reloaded` : `moatless: worker ${w.id}: reload rejected:\n${m.issues ?? ''}`);
    });
    return w;
  };

  let ready = 0;
  const listening = (w: Worker, urls: string[], addresses: string[]) => {
    if (started) {
      logger.info({ worker: w.id, pid: w.process.pid }, 'replacement worker listening');
      return;
    }
    if (++ready < o.workers) return;
    started = true;
    void (async () => {
      await dev.afterStart({ store, listeners: addresses.map((address) => ({ address })) })
        .catch((err: unknown) => o.out(`dev: SCIM provisioning failed to start: ${(err as Error).message}`));
      const served = await withApiObjects(store, cfg).then((l) => l.config, () => cfg);
      await store.close();
      o.onListening(urls, served);
    })();
  };

  cluster.on('exit', (w, code, signal) => {
    live.delete(w);
    relay.remove(w.id);
    metricsRelay.remove(w.id);
    if (stopping) {
      if (live.size === 0) void stopDev().then(() => finish(0));
      return;
    }
    if (!started) {
      // A worker that dies before listening (port in use, bad TLS file) will not do better next time.
      logger.error({ worker: w.id, code, signal }, 'worker failed to start; stopping');
      void stopAll().then(() => finish(1));
      return;
    }
    const now = Date.now();
    while (crashes.length > 0 && now - crashes[0]! > 60_000) crashes.shift();
    crashes.push(now);
    const delay = Math.min(backoff.max, backoff.min * 2 ** (crashes.length - 1));
    logger.error({ worker: w.id, pid: w.process.pid, code, signal, restartInMs: delay, crashesLastMinute: crashes.length }, 'worker exited unexpectedly; restarting');
    const wasPoller = w.id === pollerId;
    setTimeout(() => { if (!stopping) fork(wasPoller); }, delay);
  });

  let devStopped: Promise<void> | null = null;
  const stopDev = () => (devStopped ??= dev.stop().catch((err: unknown) => logger.error({ err }, 'dev services failed to stop')));
  const stopAll = async () => {
    stopping = true;
    const workers = [...live];
    for (const w of workers) {
      try { w.send({ moatless: 'stop' } satisfies ControlMessage); } catch { /* already gone */ }
    }
    // A worker stuck past its grace period is killed rather than waited for.
    const kill = setTimeout(() => { for (const w of workers) if (!w.isDead()) w.process.kill('SIGKILL'); }, cfg.server.shutdownGrace + 5_000);
    kill.unref();
    if (workers.length === 0) await stopDev();
  };
  const onStop = (signal: string) => {
    if (stopping) return;
    o.out(`moatless: ${signal}, draining ${o.workers} workers…`);
    void stopAll();
  };
  process.once('SIGTERM', () => onStop('SIGTERM'));
  process.once('SIGINT', () => onStop('SIGINT'));
  process.on('SIGHUP', () => {
    for (const w of live) {
      try { w.send({ moatless: 'reload' } satisfies ControlMessage); } catch { /* exiting */ }
    }
  });

  for (let i = 0; i < o.workers; i++) fork(i === 0);
  return finished;
}

/**
 * One worker: the normal composition root, with the change feed relayed to its siblings. Drains on
 * the primary's stop, on SIGTERM/SIGINT, and when the primary disappears.
 */
export async function runClusterWorker(cfg: ResolvedConfig, opts: ComposeOptions): Promise<number> {
  const channel = processChannel();
  const m: MoatlessProcess = await startMoatless(cfg, {
    ...opts,
    // Graph group-change polling runs in the one worker the primary marked (and in its replacement).
    pollGraph: opts.pollGraph !== false && isGraphPollerWorker(),
    wrapStore: (store, logger) => withIpcChangeFeed(store, channel, { logger }),
  });
  const send = (msg: ControlMessage) => { if (process.connected) process.send?.(msg); };
  // A scrape on this worker shows every worker's figures (src/admin/cluster-scrape.ts).
  const scrape = new ClusterScrape({
    worker: cluster.worker?.id ?? 0, local: m.metrics.registry,
    channel: { onMessage: channel.onMessage, send: (msg) => { if (!process.connected || !process.send) throw new Error('no IPC channel'); process.send(msg); } },
  });
  m.metrics.instance = () => scrape.gather();
  guardProcess({ logger: m.logger, registry: m.metrics.registry, drain: () => m.close(), drainDeadlineMs: cfg.server.shutdownGrace + 2_000 });
  send({ moatless: 'listening', urls: m.listeners.map((l) => l.url), addresses: m.listeners.map((l) => l.address) });
  return await new Promise<number>((done) => {
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      scrape.close();
      await m.close();
      if (process.connected) process.disconnect();
      done(0);
    };
    process.on('message', (raw: unknown) => {
      const c = asControl(raw);
      if (c?.moatless === 'stop') void stop();
      else if (c?.moatless === 'reload') void m.reload().then((r) => send({ moatless: 'reloaded', ok: r.ok, ...(r.issues ? { issues: r.issues } : {}) }));
    });
    process.once('SIGTERM', () => void stop());
    process.once('SIGINT', () => void stop());
    process.once('disconnect', () => void stop());
    // Reload goes through the primary (it forwards SIGHUP); a SIGHUP sent to a worker directly works too.
    process.on('SIGHUP', () => void m.reload());
  });
}
