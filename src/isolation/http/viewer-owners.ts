// Which worker holds a user's remote browser, when `server.workers` > 1 (cluster workers share the
// public listener and the kernel hands a reconnecting viewer to any of them). Each worker also
// listens on a private loopback port; the worker that starts a user's session records that port in
// the store (kv `isolation.owners`, a lease renewed while the session lives), and a worker that
// receives the viewer of a user it does not hold relays the WebSocket's bytes to the owner's port,
// where the owner authenticates it as usual and attaches it to the same browser. A dead owner (its
// port refuses) loses the lease to the worker that noticed. Must not: start a second browser for a
// user whose owner is alive.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { KeyValueStore } from '../../store/ports.ts';

export const OWNERS_NS = 'isolation.owners';
const LEASE_MS = 30_000;
const RENEW_EVERY_MS = 10_000;
/** A claim whose session has not started yet is kept this long (a cold start, a slow policy lookup). */
const STARTING_GRACE_MS = 60_000;

export interface OwnerAddress { host: string; port: number }

/** What the loopback listener serves: this worker's own viewer upgrade and downloads. */
export interface RelayHandlers {
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  request(req: IncomingMessage, res: ServerResponse): void;
}

export class ViewerOwners {
  readonly #kv: KeyValueStore;
  readonly #holds: (userKey: string) => boolean;
  readonly #logger: Pick<Logger, 'warn'>;
  /** Users this worker claimed, and when it first did. */
  readonly #claimed = new Map<string, number>();
  readonly #timer: NodeJS.Timeout;
  #server: Server | null = null;
  #self = '';

  constructor(d: { kv: KeyValueStore; holds: (userKey: string) => boolean; logger: Pick<Logger, 'warn'> }) {
    this.#kv = d.kv;
    this.#holds = d.holds;
    this.#logger = d.logger;
    this.#timer = setInterval(() => void this.#renew(), RENEW_EVERY_MS);
    this.#timer.unref();
  }

  #listening: Promise<void> = Promise.resolve();

  /** The private loopback listener other workers relay to: it serves locally, never relays again. */
  listen(handlers: RelayHandlers): Promise<void> {
    this.#listening = this.#open(handlers);
    return this.#listening;
  }

  async #open(handlers: RelayHandlers): Promise<void> {
    const server = createServer(handlers.request);
    server.on('upgrade', handlers.upgrade);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // exclusive: a cluster worker's port 0 would otherwise be the primary's, shared by every worker.
      server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => resolve());
    });
    const addr = server.address();
    if (addr === null || typeof addr === 'string') throw new Error('the isolation relay listener has no port');
    this.#server = server;
    this.#self = JSON.stringify({ host: '127.0.0.1', port: addr.port, pid: process.pid });
  }

  /** 'local' when this worker holds (or now claimed) the user; otherwise the owner's address. */
  async ownerOf(userKey: string): Promise<'local' | OwnerAddress> {
    await this.#listening;
    // A lease that changes hands between the claim and the read is read again, a few times at most.
    for (let attempt = 0; attempt < 3; attempt++) {
      if (this.#holds(userKey) || (await this.#claim(userKey, true))) return 'local';
      const v = await this.#kv.get(OWNERS_NS, userKey);
      if (v === null) continue;
      const o = JSON.parse(v) as OwnerAddress;
      return { host: o.host, port: o.port };
    }
    throw new Error('the owner of this user\'s isolated browser keeps changing');
  }

  /** The owner's port refused: it is gone with its browser, and this worker takes the user over. */
  async ownerGone(userKey: string): Promise<void> {
    this.#logger.warn({ userKey }, 'isolation: the worker holding this user\'s browser is gone; starting it here');
    await this.#kv.delete(OWNERS_NS, userKey);
  }

  /** Relays a plain request (a download offered by the owner's browser) to `owner`. */
  relayRequest(req: IncomingMessage, res: ServerResponse, owner: OwnerAddress): Promise<boolean> {
    return new Promise((resolve) => {
      const out = request({ host: owner.host, port: owner.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        resolve(true);
      });
      out.once('error', () => resolve(res.headersSent));
      req.pipe(out);
    });
  }

  /** Relays the viewer's upgrade to `owner`; false when the owner could not be reached (nothing was sent to the client). */
  relay(req: IncomingMessage, socket: Duplex, head: Buffer, owner: OwnerAddress): Promise<boolean> {
    return new Promise((resolve) => {
      const upstream = connect(owner.port, owner.host);
      upstream.once('error', () => resolve(false));
      upstream.once('connect', () => {
        upstream.removeAllListeners('error');
        const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
        for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
        upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
        if (head.length > 0) upstream.write(head);
        upstream.on('error', () => socket.destroy());
        socket.on('error', () => upstream.destroy());
        upstream.pipe(socket);
        socket.pipe(upstream);
        resolve(true);
      });
    });
  }

  /** `starting`: a viewer asks now, so the session may be starting (its grace counts from now). */
  async #claim(userKey: string, starting: boolean): Promise<boolean> {
    const ok = await this.#kv.claim(OWNERS_NS, userKey, this.#self, Date.now() + LEASE_MS);
    if (ok && (starting || !this.#claimed.has(userKey))) this.#claimed.set(userKey, Date.now());
    return ok;
  }

  /** Keeps the lease of every user whose browser is here (or still starting); lets the others lapse. */
  async #renew(): Promise<void> {
    const now = Date.now();
    for (const [userKey, since] of this.#claimed) {
      if (!this.#holds(userKey) && now - since > STARTING_GRACE_MS) {
        this.#claimed.delete(userKey);
        continue;
      }
      await this.#claim(userKey, false).catch((err: unknown) => this.#logger.warn({ err }, 'isolation: could not renew a viewer owner lease'));
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    for (const userKey of this.#claimed.keys()) if (this.#holds(userKey)) await this.#kv.delete(OWNERS_NS, userKey).catch(() => {});
    const server = this.#server;
    if (server) await new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); });
  }
}
