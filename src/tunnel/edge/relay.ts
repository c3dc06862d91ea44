// Relaying between edge replicas: a request for a tunnel with no connection on this replica goes,
// as raw bytes, to a replica that holds one. Replicas learn who holds which tunnel from the shared
// store (each connection row carries its replica's relay URL) and the change feed (a replica
// announces every connection it gains or loses, so the others drop what they cached). The relay is
// an HTTP Upgrade to `/tunnel/v1/relay` on the peer, signed with the shared secret (relay-auth.ts);
// after its 101 the socket carries the same HTTP/1.1 bytes a tunnel stream would.
// Owns: picking peers and dialing them. Must not: relay a request that arrived relayed (the door,
// relay-door.ts, serves only local connections, so a request crosses at most one hop).
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { DialedStream } from '../../access/dialer.ts';
import type { Store } from '../../store/ports.ts';
import { TunnelStreamError } from '../mux/stream.ts';
import { STALE_AFTER_MS, TUNNEL_CONNECTIONS_TOPIC, type TunnelHub } from './hub.ts';
import { RELAY_AUTH_HEADER, signRelay } from './relay-auth.ts';

export const RELAY_PATH = '/tunnel/v1/relay';
export const RELAY_PROTOCOL = 'moatless-tunnel-relay';
/** How long a replica trusts what it read about its peers when no change notice arrived. */
const PEERS_TTL_MS = 5_000;

export interface RelayDeps {
  hub: TunnelHub;
  store: Store;
  logger: Logger;
  now: () => number;
  secret: string;
  /** The auth host (`auth.example.com[:port]`): the Host every replica serves the relay door on. */
  authHost: string;
}

export class TunnelRelay {
  readonly #d: RelayDeps;
  readonly #peers = new Map<string, { urls: string[]; at: number }>();
  readonly #off: (() => void)[];
  #turn = 0;

  constructor(d: RelayDeps) {
    this.#d = d;
    this.#off = [
      d.store.changes.subscribe(TUNNEL_CONNECTIONS_TOPIC, (p) => {
        const t = (p as { tunnel?: unknown }).tunnel;
        if (typeof t === 'string') this.#peers.delete(t);
      }),
      d.store.changes.onReconnect(() => this.#peers.clear()),
    ];
  }

  /** A stream to the tunnel: through this replica's own connections first, else through a peer's. */
  async dial(tunnel: string, timeoutMs: number): Promise<DialedStream> {
    const deadline = this.#d.now() + timeoutMs;
    let last: unknown = null;
    if (this.#d.hub.hasOpen(tunnel)) {
      try {
        return await this.#d.hub.dial(tunnel, timeoutMs);
      } catch (err) {
        last = err;
      }
    }
    const urls = await this.#peerUrls(tunnel);
    if (urls.length === 0) throw last ?? new TunnelStreamError('ECONNREFUSED', `no connector of tunnel "${tunnel}" is connected to any replica`);
    const start = this.#turn++ % urls.length;
    for (const url of [...urls.slice(start), ...urls.slice(0, start)]) {
      const left = deadline - this.#d.now();
      if (left <= 0) break;
      try {
        return await this.#connect(url, tunnel, left);
      } catch (err) {
        last = err;
        this.#peers.delete(tunnel);
        this.#d.logger.warn({ tunnel, peer: url, err }, 'tunnel relay to a peer replica failed');
      }
    }
    throw last ?? new TunnelStreamError('TUNNEL_CONNECT_TIMEOUT', `tunnel "${tunnel}": no peer replica answered in time`);
  }

  /** Relay URLs of the other replicas holding a live connection of the tunnel. */
  async #peerUrls(tunnel: string): Promise<string[]> {
    const now = this.#d.now();
    const cached = this.#peers.get(tunnel);
    if (cached && now - cached.at < PEERS_TTL_MS) return cached.urls;
    const rows = await this.#d.store.tunnels.connections.listSince(now - STALE_AFTER_MS);
    const urls = [...new Set(rows.filter((r) => r.tunnel === tunnel && r.edge !== this.#d.hub.edgeId && r.relayUrl).map((r) => r.relayUrl!))];
    this.#peers.set(tunnel, { urls, at: now });
    return urls;
  }

  #connect(peer: string, tunnel: string, timeoutMs: number): Promise<DialedStream> {
    const url = new URL(RELAY_PATH, peer);
    const https = url.protocol === 'https:';
    const from = this.#d.hub.edgeId;
    const req: ClientRequest = (https ? httpsRequest : httpRequest)(url, {
      method: 'GET', agent: false,
      ...(https ? { servername: new URL(`https://${this.#d.authHost}`).hostname } : {}),
      headers: {
        host: this.#d.authHost, connection: 'Upgrade', upgrade: RELAY_PROTOCOL,
        'moatless-relay-tunnel': tunnel, 'moatless-relay-from': from,
        [RELAY_AUTH_HEADER]: signRelay(this.#d.secret, tunnel, from, this.#d.now()),
      },
    });
    return new Promise<DialedStream>((resolve, reject) => {
      const timer = setTimeout(() => {
        req.destroy();
        reject(new TunnelStreamError('TUNNEL_CONNECT_TIMEOUT', `the relay to ${url.origin} did not answer in time`));
      }, timeoutMs);
      req.on('upgrade', (_res: IncomingMessage, socket: Socket, head: Buffer) => {
        clearTimeout(timer);
        if (head.length > 0) socket.unshift(head);
        resolve(socket);
      });
      req.on('response', (res: IncomingMessage) => {
        clearTimeout(timer);
        res.resume();
        reject(new TunnelStreamError('ECONNREFUSED', `the relay to ${url.origin} answered ${res.statusCode}`));
      });
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.end();
    });
  }

  close(): void {
    for (const off of this.#off) off();
  }
}
