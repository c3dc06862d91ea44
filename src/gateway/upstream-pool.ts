// Keep-alive connections from the gateway to origins: one pool per (user, dialled address,
// port, TLS server name and verification mode). Keyed by user because a connection can carry
// identity — origins using connection-bound authentication (NTLM, Negotiate) authenticate the TCP
// connection, not the request — so one user's connection is never handed to another. Keyed by the
// dialled address because that address passed the egress check for this request; a connection made
// for one address is never reused for another. Unverified TLS (an `allow` rule's
// `untrustedCertificate: passThrough`) gets its own pools, never shared with verified ones.
// The connections are the Gateway's own lean HTTP/1.1 client (src/http1/: llhttp-parsed, no per-request
// objects of undici or node:http — about half the transport's CPU per inspected request,
// docs/benchmarks.md#gateway). Every connection is our own dial (and TLS), so the egress-checked
// address is the one used. Must not decide anything: the caller has decided and checked the
// address before asking.
import { maxHeaderSize } from 'node:http';
import type { Socket } from 'node:net';
import { available as llhttpAvailable } from '../http1/llhttp.ts';
import { ConnectionPool } from '../http1/pool.ts';

export interface UpstreamKey {
  /** The user (their key), or `anonymous:<client address>` for unidentified traffic. */
  user: string;
  ip: string;
  port: number;
  /** HTTPS to the origin: the server name to verify, and whether to verify at all. */
  tls: { servername: string; verify: boolean } | null;
}

export interface PoolDeps {
  dial(ip: string, port: number): Promise<Socket>;
  secure(socket: Socket, servername: string, verify: boolean): Promise<Socket>;
  /** An idle pooled connection is closed after this. */
  idleMs: number;
  /** Pools kept; beyond this, idle ones are dropped (oldest first). */
  maxPools?: number;
}

/** A pool and how many requests are in flight on it (an evicted pool must have none). */
export interface UpstreamHandle {
  pool: ConnectionPool;
  inFlight: number;
}

export class UpstreamPool {
  readonly #d: PoolDeps;
  readonly #pools = new Map<string, UpstreamHandle>();

  constructor(deps: PoolDeps) {
    // Fail at start, not on the first request: this Node must have the llhttp binding (docs/dependencies.md).
    if (!llhttpAvailable) throw new Error(`the gateway needs Node's llhttp binding (node:_http_common HTTPParser), missing in Node ${process.version}: run on Node 24`);
    this.#d = deps;
  }

  poolFor(key: UpstreamKey): UpstreamHandle {
    const name = `${key.user}\n${key.ip}\n${key.port}\n${key.tls ? `${key.tls.servername}\n${key.tls.verify}` : '-'}`;
    let h = this.#pools.get(name);
    if (h) {
      // Most recently used last: eviction takes from the front.
      this.#pools.delete(name);
      this.#pools.set(name, h);
      return h;
    }
    const { ip, port, tls } = key;
    const open = async (): Promise<Socket> => {
      const socket = await this.#d.dial(ip, port);
      return tls ? this.#d.secure(socket, tls.servername, tls.verify) : socket;
    };
    // Response heads up to node's limit (`--max-http-header-size`, 16 KiB by default), as undici had.
    const pool = new ConnectionPool({ open, idleMs: this.#d.idleMs, maxHeaderBytes: maxHeaderSize });
    h = { pool, inFlight: 0 };
    this.#pools.set(name, h);
    this.#evict();
    return h;
  }

  get size(): number {
    return this.#pools.size;
  }

  #evict(): void {
    const max = this.#d.maxPools ?? 4096;
    if (this.#pools.size <= max) return;
    for (const [name, h] of this.#pools) {
      if (this.#pools.size <= max) break;
      // Only pools with no request in flight: dropping one closes its connections.
      if (h.inFlight > 0) continue;
      h.pool.close();
      this.#pools.delete(name);
    }
  }

  close(): void {
    for (const h of this.#pools.values()) h.pool.close();
    this.#pools.clear();
  }
}
