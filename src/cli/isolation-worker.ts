// The composition root of `moatless isolation-worker`: config → store → sessions → the isolation
// capability (its session manager, the Gateway's policy answers, egress through `isolation.proxy`
// with per-session passes) → the worker's listener for auth hosts → its registration in the store.
// No public listener, no Access, no Gateway: remote browsers only. Must not: hold logic
// (src/isolation/workers/ does), or run browsers that bypass a configured Gateway.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { splitAddress } from '../access/server.ts';
import { ConfigLayers } from '../admin/index.ts';
import { processEnv } from '../config/env.ts';
import type { ResolvedConfig } from '../config/load.ts';
import { createDirectoryFacts } from '../directory/directory-facts.ts';
import { isolationEgress } from '../gateway/isolation-egress.ts';
import { isolationControls, isolationNavigationCheck } from '../gateway/isolation-policy.ts';
import { SessionService } from '../identity/sessions.ts';
import { buildIsolation } from '../isolation/index.ts';
import { announceWorker, workerOwners, type WorkerIdentity, type WorkerSide } from '../isolation/workers/index.ts';
import { openStore } from '../store/open-store.ts';
import { storeConfigOf } from './compose.ts';
import { createLogger } from './logger.ts';

/** A config that cannot run a worker: said in one line, exit 1. */
export class WorkerConfigError extends Error {}

export interface WorkerOverrides { name?: string | undefined; listen?: string | undefined; advertise?: string | undefined }

export interface RunningWorker { identity: WorkerIdentity; logger: Logger; close(): Promise<void> }

/** Where the worker listens and what it registers, from the config and the command's flags. */
function placeOf(cfg: ResolvedConfig, o: WorkerOverrides) {
  const w = cfg.isolation.worker;
  const name = o.name ?? w?.name ?? hostname();
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name)) throw new WorkerConfigError(`worker name "${name}": letters, digits, ".", "_" and "-"`);
  const [host, port] = splitAddress(o.listen ?? w?.listen ?? '127.0.0.1:7480');
  const [aHost, aPort] = splitAddress(o.advertise ?? w?.advertise ?? `${host}:${port}`);
  // Auth hosts dial what is registered: a wildcard bind says nothing about where that is.
  if (aHost === '0.0.0.0' || aHost === '::') throw new WorkerConfigError('isolation.worker.advertise (or --advertise HOST:PORT) is required when listening on a wildcard address');
  return { name, listen: { host, port }, advertise: { host: aHost, port: o.advertise ?? w?.advertise ? aPort : null } };
}

export async function startIsolationWorker(initial: ResolvedConfig, o: WorkerOverrides = {}, injected?: Logger): Promise<RunningWorker> {
  const secret = initial.secrets.isolationWorkerSecret;
  if (!initial.isolation.workers || !secret) throw new WorkerConfigError('isolation.workers.secret is required: auth hosts and workers prove each hop with it (docs/isolation.md)');
  // Fail closed: with a Gateway in the config, a worker's browsers must go through it, never direct.
  if (initial.gateway && !initial.isolation.proxy) {
    throw new WorkerConfigError('isolation.proxy is required on a worker when the config has a gateway: section (the Gateway\'s address as this host reaches it)');
  }
  const place = placeOf(initial, o);
  const logger = injected ?? createLogger(initial, { base: { role: 'isolation-worker', worker: place.name } });
  const store = await openStore(storeConfigOf(initial), { logger });
  const sessions = new SessionService({ store, now: Date.now, cacheTtlMs: initial.sessions.cacheTtl });
  const directoryFacts = createDirectoryFacts(store, { now: Date.now });
  let config = initial;
  // Gateway rules created through the admin API isolate and block here as on the auth host.
  const layers = new ConfigLayers({ store, logger, env: processEnv(), current: () => config, apply: (next) => { config = next; } });
  await layers.refresh();
  layers.start();
  const policy = { config: () => config, sessions, directoryFacts, now: Date.now };
  let side: WorkerSide | null = null;
  const built = buildIsolation({
    store, sessions, logger, config: () => config, worker: place.name,
    controlsFor: isolationControls(policy), checkNavigation: isolationNavigationCheck(policy),
    egress: isolationEgress({ local: () => null, kv: store.kv, sessions, directoryFacts, config: () => config, logger }),
    egressProxy: () => config.isolation.proxy ?? null,
    owners: (manager) => (side = workerOwners({
      kv: store.kv, secret, manager, logger, baseDir: initial.baseDir, name: place.name, listen: place.listen, advertise: place.advertise,
      tls: initial.isolation.worker?.tls,
    })).owners,
  });
  const closeAll = async () => {
    for (const m of built.mounts) await m.close?.();
    layers.stop();
    sessions.close();
    await store.close();
  };
  let identity: WorkerIdentity;
  try {
    identity = await side!.identity;
  } catch (err) {
    await closeAll();
    throw err;
  }
  const announcer = announceWorker({ kv: store.kv, secret, identity, manager: built.manager, logger });
  await announcer.start();
  return {
    identity, logger,
    async close() {
      await announcer.close();
      await closeAll();
      if (!injected) logger.flush();
    },
  };
}
