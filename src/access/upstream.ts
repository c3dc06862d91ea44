// Streams a request to an upstream and its response back, without buffering either body: the
// lean HTTP/1.1 client of src/http1/ (Node's llhttp binding, one keep-alive pool per origin, the
// request head in one write) over connections the dialer opens (TCP/TLS or a tunnel), with
// backpressure in both directions. A small response of known length goes to the client in one
// write (status line, headers and body). Upgrades do not come here (upgrade-relay.ts).
import { maxHeaderSize } from 'node:http';
import type { Socket } from 'node:net';
import type { Exchange as H1Exchange, H1Connection, Outgoing } from '../http1/connection.ts';
import { UpstreamTimeout } from '../http1/connection.ts';
import { available as llhttpAvailable } from '../http1/llhttp.ts';
import { contentLength, IDEMPOTENT, requestBody } from '../http1/message.ts';
import { ConnectionPool } from '../http1/pool.ts';
import { tcpDialer, type UpstreamDialer } from './dialer.ts';
import { bodyOf, type AccessReply, type AccessRequest } from './http-types.ts';

export interface UpstreamTimeouts {
  connectMs: number;
  headersMs: number;
  bodyMs: number;
}

/** RFC 9110 §7.6.1 hop-by-hop fields, plus ones proxies must never forward. */
export const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'http2-settings', 'proxy-authorization', 'proxy-authenticate']);

/**
 * The upstream's response fields (flat, as received) minus hop-by-hop fields and any field its
 * Connection header names (RFC 9110 §7.6.1), flat again: writeHead copies it without building a
 * keyed object. The token list is only parsed when a Connection header is present (rare with
 * keep-alive upstreams).
 */
function responseHeaders(raw: string[]): string[] {
  let connection: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.length === 10 && raw[i]!.toLowerCase() === 'connection') connection = connection === undefined ? raw[i + 1] : `${connection},${raw[i + 1]}`;
  }
  const tokens = connection === undefined ? null : connection.toLowerCase().split(',').map((t) => t.trim());
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (HOP_BY_HOP.has(name) || (tokens !== null && tokens.includes(name))) continue;
    out.push(raw[i]!, raw[i + 1]!);
  }
  return out;
}

/**
 * The request head for the origin: request line, the caller's cleaned fields, the body's framing.
 * `expect` is left out: node's server has already answered `100 Continue` to the client. A value
 * with CR or LF would split the head: left out (node's parser and upstream-headers.ts already
 * refuse or clean such values; this is the last line).
 */
function requestHead(method: string, path: string, headers: readonly string[], chunked: boolean): string {
  let head = `${method} ${path} HTTP/1.1\r\n`;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = headers[i]!, value = headers[i + 1]!;
    if ((name.length === 6 && name.toLowerCase() === 'expect') || value.includes('\n') || value.includes('\r')) continue;
    head += `${name}: ${value}\r\n`;
  }
  return chunked ? `${head}transfer-encoding: chunked\r\n\r\n` : `${head}\r\n`;
}

/** Bodies up to this size with a Content-Length are gathered and sent with the head in one write. */
const GATHER_MAX = 64 * 1024;

/** Idle connections kept per origin: nginx's upstream `keepalive` (128 per worker in the benches, two workers). */
export const UPSTREAM_MAX_IDLE = 256;

/** How long an idle upstream connection is kept for reuse (nginx's upstream keepalive_timeout). */
export const UPSTREAM_IDLE_MS = 60_000;

export type UpstreamOutcome = { status: number; error?: 'connect' | 'timeout' | 'reset' | 'client_gone' };

export class UpstreamPools {
  readonly #pools = new Map<string, ConnectionPool>();
  readonly #t: UpstreamTimeouts;
  /** How connections to origins are opened (TCP or a tunnel); the upgrade relay dials through it too. */
  readonly dialer: UpstreamDialer;

  constructor(timeouts: UpstreamTimeouts, dialer: UpstreamDialer = tcpDialer()) {
    // Fail at start, not on the first request: this Node must have the llhttp binding (docs/dependencies.md).
    if (!llhttpAvailable) throw new Error(`Access needs Node's llhttp binding (node:_http_common HTTPParser), missing in Node ${process.version}: run on Node 24`);
    this.#t = timeouts;
    this.dialer = dialer;
  }

  #pool(origin: string): ConnectionPool {
    let pool = this.#pools.get(origin);
    if (!pool) {
      pool = new ConnectionPool({
        // The dialer hands back a Duplex with setTimeout (a net/TLS socket, or a tunnel stream):
        // all the connection uses of a socket.
        open: async () => (await this.dialer.connect({ origin, timeoutMs: this.#t.connectMs })) as unknown as Socket,
        // Idle upstream connections live as long as nginx's upstream `keepalive_timeout` (60 s), so a
        // quiet minute does not cost a burst of new connections.
        idleMs: UPSTREAM_IDLE_MS,
        maxIdle: UPSTREAM_MAX_IDLE,
        // Response heads up to node's limit (`--max-http-header-size`, 16 KiB by default), as undici had.
        maxHeaderBytes: maxHeaderSize,
      });
      this.#pools.set(origin, pool);
    }
    return pool;
  }

  /**
   * Proxies one request. `headers` is a flat [name, value, …] list already cleaned by the caller.
   * Resolves when the exchange ends, never rejects: failures become a 502/504 for the client.
   */
  async forward(req: AccessRequest, res: AccessReply, origin: string, path: string, headers: string[], onError: (status: 502 | 504) => void, requestId?: string): Promise<UpstreamOutcome> {
    const { hasBody, chunked } = requestBody(req.headers);
    const method = req.method ?? 'GET';
    const out: Outgoing = { head: requestHead(method, path, headers, chunked), body: hasBody ? bodyOf(req) : null, chunked, method, timeoutMs: this.#t.headersMs };
    const pool = this.#pool(origin);
    let fresh = false;
    for (;;) {
      let conn: H1Connection, reused: boolean;
      try {
        ({ conn, reused } = await pool.acquire(fresh));
      } catch (err) {
        const timeout = ((err as { code?: string }).code ?? '').includes('TIMEOUT');
        const status = timeout ? 504 : 502;
        onError(status);
        return { status, error: timeout ? 'timeout' : 'connect' };
      }
      if (res.destroyed) {
        // The client left while the connection was being opened: nothing to send for.
        conn.destroy();
        return { status: res.statusCode, error: 'client_gone' };
      }
      const r = await new Exchange(conn, res, this.#t.bodyMs, requestId).run(out);
      if (r !== RETRYABLE) {
        // Failed before anything reached the client (a gathered small body included): an error page.
        if (r.error !== undefined && r.error !== 'client_gone' && !res.headersSent) onError(r.status as 502 | 504);
        return r;
      }
      // The client left (its upload cut, say): nothing to answer.
      if (res.destroyed) return { status: res.statusCode, error: 'client_gone' };
      // A kept-alive connection the origin closed as we reused it: once more on a new one, for an
      // idempotent request without body that got no response byte (RFC 9112 §9.3.1).
      if (!reused || hasBody || !IDEMPOTENT.has(method)) {
        onError(502);
        return { status: 502, error: 'connect' };
      }
      fresh = true;
    }
  }

  async close(): Promise<void> {
    for (const p of this.#pools.values()) p.close();
    this.#pools.clear();
  }
}

/** An exchange that failed before any response byte, not a timeout: the caller may retry it. */
const RETRYABLE = Symbol('retryable');

/**
 * One proxied exchange: the connection's handler and the client response's listeners in one
 * object, its methods on the prototype — no closures per request on the hot path (issue 17). The
 * `drain` listener is added only when the client falls behind, which a small response never does.
 */
class Exchange implements H1Exchange {
  readonly #conn: H1Connection;
  readonly #res: AccessReply;
  readonly #bodyMs: number;
  readonly #requestId: string | undefined;
  #resolve: ((o: UpstreamOutcome | typeof RETRYABLE) => void) | null = null;
  #status = 502;
  /** The response's fields while not yet written to the client. */
  #head: string[] | null = null;
  /** Gathered body pieces while the response is small and its length known; null once streaming. */
  #gathered: Buffer[] | null = null;
  #draining = false;

  constructor(conn: H1Connection, res: AccessReply, bodyMs: number, requestId: string | undefined) {
    this.#conn = conn;
    this.#res = res;
    this.#bodyMs = bodyMs;
    this.#requestId = requestId;
  }

  run(out: Outgoing): Promise<UpstreamOutcome | typeof RETRYABLE> {
    return new Promise((resolve) => {
      this.#resolve = resolve;
      this.#res.on('close', this.#onClientClose);
      this.#conn.send(out, this);
    });
  }

  #finish(o: UpstreamOutcome | typeof RETRYABLE): void {
    const resolve = this.#resolve;
    if (resolve === null) return;
    this.#resolve = null;
    this.#res.off('close', this.#onClientClose);
    if (this.#draining) this.#res.off('drain', this.#onDrain);
    resolve(o);
  }

  readonly #onClientClose = (): void => {
    if (this.#res.writableFinished) return;
    // The client went away: the response is not read to its end, so the connection is not reused.
    this.#conn.destroy();
    this.#finish({ status: this.#res.statusCode, error: 'client_gone' });
  };

  readonly #onDrain = (): void => {
    this.#draining = false;
    this.#res.off('drain', this.#onDrain);
    this.#conn.resume();
  };

  /** Headers go out now (streaming); the id users quote to the help desk rides on every response. */
  #writeHead(): void {
    const head = this.#head!;
    this.#head = null;
    if (this.#requestId !== undefined) head.push('moatless-request-id', this.#requestId);
    this.#res.writeHead(this.#status, head);
  }

  onHead(status: number, rawHeaders: string[]): void {
    this.#status = status;
    this.#head = responseHeaders(rawHeaders);
    // The head arrived: from here, the body's no-activity limit.
    this.#conn.idle(this.#bodyMs);
    const length = contentLength(rawHeaders);
    if (Number.isInteger(length) && length <= GATHER_MAX) this.#gathered = [];
    else this.#writeHead();
  }

  onData(chunk: Buffer): void {
    if (this.#gathered !== null) return void this.#gathered.push(chunk);
    if (this.#res.write(chunk)) return;
    this.#conn.pause();
    if (!this.#draining) {
      this.#draining = true;
      this.#res.on('drain', this.#onDrain);
    }
  }

  onEnd(): void {
    if (this.#head !== null) {
      // One write: status line, headers and the gathered body.
      this.#writeHead();
      const g = this.#gathered;
      this.#gathered = null;
      this.#res.end(g === null || g.length === 0 ? undefined : g.length === 1 ? g[0] : Buffer.concat(g));
    } else this.#res.end();
    this.#finish({ status: this.#status });
  }

  onError(err: Error, responded: boolean): void {
    const res = this.#res;
    if (this.#resolve === null) return;
    if (!res.headersSent) {
      // Nothing sent yet (a gathered body is dropped): the caller answers with an error page.
      if (err instanceof UpstreamTimeout) return this.#finish({ status: 504, error: 'timeout' });
      // Cut inside a small gathered response: a reset; before any response byte: maybe retried.
      return this.#finish(responded ? { status: 502, error: 'reset' } : RETRYABLE);
    }
    // Mid-stream failure: the status line is gone already; cut the connection so the client
    // sees a truncated response instead of a silently short one.
    res.destroy(err);
    this.#finish({ status: res.statusCode, error: 'reset' });
  }
}
