// Isolation workers on other hosts, the public face: how an auth host routes viewers to them
// (placement, the signed hop) and how a worker takes relayed viewers (its listener, its lease,
// its registration). Built by the composition roots in src/cli/. Must not: read config files.
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { KeyValueStore } from '../../store/ports.ts';
import { ViewerOwners } from '../http/viewer-owners.ts';
import type { SessionManager } from '../manager.ts';
import { Placement } from './placement.ts';
import { WorkerHop } from './worker-hop.ts';
import { listenForAuthHosts } from './worker-listener.ts';
import { WorkerAnnouncer, WorkerDirectory, workerLease, type WorkerIdentity } from './worker-registry.ts';

export { WORKERS_NS, WORKER_TTL_MS, WorkerAnnouncer, type WorkerEntry, type WorkerIdentity } from './worker-registry.ts';
export { HOP_HEADER } from './worker-hop.ts';

/** `moatless serve` with isolation workers: users nobody holds go to a worker (or here, with `localBrowsers`). */
export function authHostOwners(d: {
  kv: KeyValueStore; secret: string; ca?: Buffer | undefined; localBrowsers: boolean; manager: SessionManager; logger: Pick<Logger, 'warn'>;
}): ViewerOwners {
  const directory = new WorkerDirectory({ kv: d.kv, secret: d.secret, logger: d.logger });
  const placement = new Placement({ directory, localFree: () => (d.localBrowsers ? d.manager.free : null) });
  return new ViewerOwners({
    kv: d.kv, holds: (userKey) => d.manager.find(userKey) !== undefined, logger: d.logger, placement, hop: new WorkerHop({ secret: d.secret, ca: d.ca }),
  });
}

export interface WorkerSide {
  owners: ViewerOwners;
  /** Resolves once the listener is bound: the identity registered (its port, when `listen` asked for 0). */
  identity: Promise<WorkerIdentity>;
}

/**
 * `moatless isolation-worker`: relayed viewers arrive on its own listener (proof checked first) and
 * are served only for users whose lease names this worker (or nobody).
 */
export function workerOwners(d: {
  kv: KeyValueStore; secret: string; manager: SessionManager; logger: Pick<Logger, 'warn'>; baseDir: string;
  name: string; listen: { host: string; port: number }; advertise: { host: string; port: number | null };
  tls?: { certFile: string; keyFile: string } | undefined;
}): WorkerSide {
  let identified: (w: WorkerIdentity) => void = () => {};
  let failed: (err: unknown) => void = () => {};
  const identity = new Promise<WorkerIdentity>((ok, fail) => { identified = ok; failed = fail; });
  const owners = new ViewerOwners({
    kv: d.kv, holds: (userKey) => d.manager.find(userKey) !== undefined, logger: d.logger,
    listener: async (handlers): Promise<{ server: Server; self: string }> => {
      const bound = await listenForAuthHosts({ ...d.listen, secret: d.secret, name: d.name, tls: d.tls, baseDir: d.baseDir, logger: d.logger }, handlers)
        .catch((err: unknown) => { failed(err); throw err; });
      const me: WorkerIdentity = { name: d.name, host: d.advertise.host, port: d.advertise.port ?? bound.port, tls: d.tls !== undefined };
      identified(me);
      return { server: bound.server, self: workerLease(me) };
    },
  });
  return { owners, identity };
}

/** Keeps the worker's registration (free slots included) in the store while it runs. */
export function announceWorker(d: { kv: KeyValueStore; secret: string; identity: WorkerIdentity; manager: SessionManager; logger: Pick<Logger, 'warn' | 'error'> }): WorkerAnnouncer {
  return new WorkerAnnouncer({
    kv: d.kv, secret: d.secret, identity: d.identity, logger: d.logger,
    load: () => ({ capacity: d.manager.maxSessions, free: d.manager.free, sessions: d.manager.size }),
  });
}
