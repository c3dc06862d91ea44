// Which process holds a user's remote browser: another cluster worker of this `moatless serve`
// (they share the public listener, and the kernel hands a reconnecting viewer to any of them), or an
// isolation worker on another host (`moatless isolation-worker`). The holder is recorded in the
// store (kv `isolation.owners`, a lease the holder renews while the session lives); a process that
// receives the viewer of a user it does not hold relays the WebSocket's bytes to the holder, which
// authenticates it as usual and attaches it to the same browser. With isolation workers, a user
// nobody holds is placed by `Placement` (workers/placement.ts) and the lease is written for the
// chosen worker before the viewer is relayed there; a lease naming a worker that is gone, or that
// is not a verified registration, is dropped. A holder that refuses the connection loses the lease.
// Must not: start a second browser for a user whose holder is alive.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { KeyValueStore } from '../../store/ports.ts';
import type { Placement } from '../workers/placement.ts';
import { HOP_HEADER, type WorkerHop } from '../workers/worker-hop.ts';
import { workerLease } from '../workers/worker-registry.ts';
import { parseStored } from '../../store/parse-stored.ts';

export const OWNERS_NS = 'isolation.owners';
const LEASE_MS = 30_000;
const RENEW_EVERY_MS = 10_000;
/** A claim whose session has not started yet is kept this long (a cold start, a slow policy lookup). */
const STARTING_GRACE_MS = 60_000;

const leaseSchema = z.object({ host: z.string(), port: z.number().int(), worker: z.string().optional(), tls: z.boolean().optional() });
/** A holder's address; `worker` for an isolation worker (reached through the hop), absent for a cluster sibling. */
export type OwnerAddress = z.infer<typeof leaseSchema> & { lease: string };

/** What the relay listener serves: this process's own viewer upgrade and downloads. */
export interface RelayHandlers {
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  request(req: IncomingMessage, res: ServerResponse): void;
}

/** Opens the listener relayed viewers arrive on; `self` is this process's lease value. */
export type RelayListener = (handlers: RelayHandlers) => Promise<{ server: Server; self: string }>;

export interface ViewerOwnersDeps {
  kv: KeyValueStore;
  holds: (userKey: string) => boolean;
  logger: Pick<Logger, 'warn'>;
  /** Isolation workers on other hosts: where users nobody holds go, and which worker leases are good. */
  placement?: Placement | undefined;
  hop?: WorkerHop | undefined;
  /** Default: a private loopback port (cluster siblings relay there). */
  listener?: RelayListener | undefined;
}

export class ViewerOwners {
  readonly #d: ViewerOwnersDeps;
  /** Users this process claimed, and when it first did. */
  readonly #claimed = new Map<string, number>();
  readonly #timer: NodeJS.Timeout;
  #server: Server | null = null;
  #self = '';
  #listening: Promise<void> = Promise.resolve();

  constructor(d: ViewerOwnersDeps) {
    this.#d = d;
    this.#timer = setInterval(() => void this.#renew(), RENEW_EVERY_MS);
    this.#timer.unref();
  }

  /** The listener other processes relay to: it serves locally, never relays again. */
  listen(handlers: RelayHandlers): Promise<void> {
    this.#listening = (this.#d.listener ?? loopbackListener)(handlers).then(({ server, self }) => {
      this.#server = server;
      this.#self = self;
    });
    return this.#listening;
  }

  /**
   * 'local' when this process holds (or now claimed) the user; the holder's address; or null when
   * nobody holds them and no one has room (with isolation workers only).
   */
  async ownerOf(userKey: string): Promise<'local' | OwnerAddress | null> {
    await this.#listening;
    const placement = this.#d.placement;
    // A lease that changes hands between the claim and the read is read again, a few times at most.
    for (let attempt = 0; attempt < 3; attempt++) {
      if (this.#d.holds(userKey)) return 'local';
      if (!placement && (await this.#claim(userKey, true))) return 'local';
      const held = await this.#current(userKey);
      if (held === 'local' && (await this.#claim(userKey, true))) return 'local';
      if (held !== null && held !== 'local') return held;
      if (held !== null || !placement) continue;
      const target = await placement.choose();
      if (target === null) return null;
      if (target === 'local') {
        if (await this.#claim(userKey, true)) return 'local';
        continue;
      }
      const lease = workerLease({ name: target.name, host: target.host, port: target.port, tls: target.tls });
      if (await this.#d.kv.claim(OWNERS_NS, userKey, lease, Date.now() + LEASE_MS)) return { ...parseLease(lease)!, lease };
    }
    throw new Error('the owner of this user\'s isolated browser keeps changing');
  }

  /** The holder the store names now, without placing anyone; a stale or unverified worker lease is dropped. */
  async #current(userKey: string): Promise<'local' | OwnerAddress | null> {
    const raw = await this.#d.kv.get(OWNERS_NS, userKey);
    if (raw === null) return null;
    if (raw === this.#self) return 'local';
    const o = parseLease(raw);
    const good = o !== null && (o.worker === undefined
      // A cluster sibling's private port is on this machine's loopback, never anywhere else.
      ? o.host === '127.0.0.1'
      : this.#d.hop !== undefined && (await this.#d.placement?.find({ worker: o.worker, host: o.host, port: o.port, tls: o.tls ?? false })) != null);
    if (good) return { ...o, lease: raw };
    this.#d.logger.warn({ userKey }, 'isolation: the recorded holder of this user\'s browser is gone or not a verified worker; placing the user afresh');
    await this.#d.kv.unclaim(OWNERS_NS, userKey, raw);
    return null;
  }

  /** Whether `/browser/<URL>` may open for the user: they are held, or someone has room. */
  async admits(userKey: string): Promise<boolean> {
    if (this.#d.holds(userKey)) return true;
    if ((await this.#current(userKey)) !== null) return true;
    return (await this.#d.placement?.choose()) != null;
  }

  /** A relayed viewer or download for `userKey`: served here only if the lease names this process (or nobody). */
  async acceptRelayed(userKey: string): Promise<boolean> {
    await this.#listening;
    return this.#d.holds(userKey) || this.#claim(userKey, true);
  }

  /** The holder's port refused: it is gone with its browser, and the user is placed afresh. */
  async ownerGone(userKey: string, owner: OwnerAddress): Promise<void> {
    this.#d.logger.warn({ userKey, worker: owner.worker }, 'isolation: the process holding this user\'s browser is gone; starting it elsewhere');
    if (owner.worker) this.#d.placement?.markUnreachable(owner.worker);
    await this.#d.kv.unclaim(OWNERS_NS, userKey, owner.lease);
  }

  /** The viewer's upgrade, relayed to whoever holds the user: 'local' to serve here, 'none' when no one has room. */
  async route(userKey: string, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<'local' | 'relayed' | 'none'> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const owner = await this.ownerOf(userKey);
      if (owner === 'local') return 'local';
      if (owner === null) return 'none';
      const upstream = await this.#dial(owner).catch(() => null);
      if (upstream) {
        pipeUpgrade(req, socket, head, upstream, this.#proof(owner, req));
        return 'relayed';
      }
      await this.ownerGone(userKey, owner);
    }
    return 'none';
  }

  /** A download offered by the browser of a user held elsewhere: relayed there; false when nobody else holds them. */
  async relayDownload(userKey: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const owner = await this.#current(userKey);
    if (owner === null || owner === 'local') return false;
    const extra = this.#proof(owner, req);
    const headers = { ...withoutHop(req.headers), ...(extra ? { [HOP_HEADER]: extra } : {}) };
    const options = { host: owner.host, port: owner.port, method: req.method, path: req.url, headers, ...(owner.tls ? { ca: this.#d.hop?.ca } : {}) };
    return new Promise((resolve) => {
      const out = (owner.tls ? httpsRequest : request)(options, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        resolve(true);
      });
      out.once('error', () => resolve(res.headersSent));
      req.pipe(out);
    });
  }

  #dial(owner: OwnerAddress): Promise<Duplex> {
    if (owner.worker && this.#d.hop) return this.#d.hop.connect({ worker: owner.worker, host: owner.host, port: owner.port, tls: owner.tls ?? false });
    if (owner.worker) return Promise.reject(new Error('no isolation.workers secret to reach a worker with'));
    return new Promise((resolve, reject) => {
      const s = connect(owner.port, owner.host);
      s.once('error', reject);
      s.once('connect', () => { s.removeAllListeners('error'); resolve(s); });
    });
  }

  #proof(owner: OwnerAddress, req: IncomingMessage): string | null {
    return owner.worker && this.#d.hop ? this.#d.hop.sign(owner.worker, req.method ?? 'GET', req.url ?? '/') : null;
  }

  /** `starting`: a viewer asks now, so the session may be starting (its grace counts from now). */
  async #claim(userKey: string, starting: boolean): Promise<boolean> {
    const ok = await this.#d.kv.claim(OWNERS_NS, userKey, this.#self, Date.now() + LEASE_MS);
    if (ok && (starting || !this.#claimed.has(userKey))) this.#claimed.set(userKey, Date.now());
    return ok;
  }

  /** Keeps the lease of every user whose browser is here (or still starting); lets the others lapse. */
  async #renew(): Promise<void> {
    const now = Date.now();
    for (const [userKey, since] of this.#claimed) {
      if (!this.#d.holds(userKey) && now - since > STARTING_GRACE_MS) {
        this.#claimed.delete(userKey);
        continue;
      }
      await this.#claim(userKey, false).catch((err: unknown) => this.#d.logger.warn({ err }, 'isolation: could not renew a viewer owner lease'));
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    for (const userKey of this.#claimed.keys()) if (this.#d.holds(userKey)) await this.#d.kv.unclaim(OWNERS_NS, userKey, this.#self).catch(() => false);
    const server = this.#server;
    if (server) await new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); });
  }
}

/** The default relay listener: a private loopback port of this process (cluster siblings). */
const loopbackListener: RelayListener = async (handlers) => {
  const server = createServer(handlers.request);
  server.on('upgrade', handlers.upgrade);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // exclusive: a cluster worker's port 0 would otherwise be the primary's, shared by every worker.
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => resolve());
  });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('the isolation relay listener has no port');
  return { server, self: JSON.stringify({ host: '127.0.0.1', port: addr.port, pid: process.pid }) };
};

function parseLease(raw: string): z.infer<typeof leaseSchema> | null {
  return parseStored(leaseSchema, raw);
}

function withoutHop(headers: IncomingMessage['headers']): IncomingMessage['headers'] {
  const { [HOP_HEADER]: _dropped, ...rest } = headers;
  return rest;
}

/** Writes the viewer's upgrade request (a client's own hop header dropped, the proof added) and joins the sockets. */
function pipeUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, upstream: Duplex, proof: string | null): void {
  const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() !== HOP_HEADER) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  }
  if (proof) lines.push(`${HOP_HEADER}: ${proof}`);
  upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
  if (head.length > 0) upstream.write(head);
  upstream.on('error', () => socket.destroy());
  socket.on('error', () => upstream.destroy());
  upstream.pipe(socket);
  socket.pipe(upstream);
}
