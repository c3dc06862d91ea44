// Keep-alive connections to one origin (one key of the caller's pools: Access's upstream.ts, the
// Gateway's upstream-pool.ts): an idle connection is reused
// most-recently-used first, a new one opened through `open` (the caller's dial, egress-checked
// address and TLS) when none is idle, and an idle one closed after `idleMs`. A connection comes
// back only through H1Connection's own release, i.e. after a fully read response. Transport library
// (src/http1/): must not decide policy, dial by itself, log, or import from a capability.
import type { Socket } from 'node:net';
import { H1Connection } from './connection.ts';

export interface PoolOptions {
  open(): Promise<Socket>;
  idleMs: number;
  /** At most this many idle connections are kept (nginx's upstream `keepalive N`); one more is closed. Unbounded when absent. */
  maxIdle?: number;
  /** The largest response head accepted from the origin. */
  maxHeaderBytes: number;
}

export class ConnectionPool {
  readonly #o: PoolOptions;
  readonly #idle: H1Connection[] = [];
  readonly #all = new Set<H1Connection>();
  #closed = false;

  constructor(o: PoolOptions) {
    this.#o = o;
  }

  /** An idle connection (reused: true), or a new one unless `fresh` is asked for — then always new. */
  async acquire(fresh = false): Promise<{ conn: H1Connection; reused: boolean }> {
    if (!fresh) {
      for (let c = this.#idle.pop(); c; c = this.#idle.pop()) if (!c.socket.destroyed) return { conn: c, reused: true };
    }
    const socket = await this.#o.open();
    if (this.#closed) {
      socket.destroy();
      throw new Error('the upstream pool was closed');
    }
    const conn = new H1Connection(socket, this.#o.maxHeaderBytes, (c) => this.#release(c));
    this.#all.add(conn);
    socket.once('close', () => {
      this.#all.delete(conn);
      const i = this.#idle.indexOf(conn);
      if (i >= 0) this.#idle.splice(i, 1);
    });
    return { conn, reused: false };
  }

  #release(c: H1Connection): void {
    if (this.#closed) return c.destroy();
    if (this.#o.maxIdle !== undefined && this.#idle.length >= this.#o.maxIdle) return c.destroy();
    // An origin that announced a shorter idle time (Keep-Alive: timeout) is taken at its word.
    const ms = c.keepAliveMs === null ? this.#o.idleMs : Math.min(this.#o.idleMs, c.keepAliveMs);
    if (ms <= 0) return c.destroy();
    c.idle(ms);
    this.#idle.push(c);
  }

  get idleCount(): number {
    return this.#idle.length;
  }

  close(): void {
    this.#closed = true;
    for (const c of this.#all) c.destroy();
    this.#idle.length = 0;
  }
}
