// Streams a request to an upstream and its response back, without buffering either body: undici's
// dispatch API with keep-alive pools per origin, and backpressure in both directions.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Pool, type Dispatcher } from 'undici';
import { tcpDialer, type UpstreamDialer } from './dialer.ts';

export interface UpstreamTimeouts {
  connectMs: number;
  headersMs: number;
  bodyMs: number;
}

/** RFC 9110 §7.6.1 hop-by-hop fields, plus ones proxies must never forward. */
export const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'http2-settings', 'proxy-authorization', 'proxy-authenticate']);

/**
 * The upstream's response headers minus hop-by-hop fields and any field its Connection header
 * names (RFC 9110 §7.6.1), as a flat [name, value, …] list: writeHead copies it without building a
 * keyed object. The token list is only parsed when a Connection header is present (rare with
 * keep-alive upstreams).
 */
function responseHeaders(h: Record<string, string | string[] | undefined>): (string | string[])[] {
  const conn = h['connection'];
  const tokens = conn === undefined ? null : String(conn).toLowerCase().split(',').map((s) => s.trim());
  const out: (string | string[])[] = [];
  for (const name in h) {
    const v = h[name];
    if (v === undefined || HOP_BY_HOP.has(name) || (tokens !== null && tokens.includes(name))) continue;
    if (Array.isArray(v)) for (const one of v) out.push(name, one);
    else out.push(name, v);
  }
  return out;
}

/** How long an idle upstream connection is kept for reuse (nginx's upstream keepalive_timeout). */
export const UPSTREAM_IDLE_MS = 60_000;

export type UpstreamOutcome = { status: number; error?: 'connect' | 'timeout' | 'reset' | 'client_gone' };

export class UpstreamPools {
  readonly #pools = new Map<string, Pool>();
  readonly #t: UpstreamTimeouts;
  /** How connections to origins are opened (TCP or a tunnel); the upgrade relay dials through it too. */
  readonly dialer: UpstreamDialer;

  constructor(timeouts: UpstreamTimeouts, dialer: UpstreamDialer = tcpDialer()) {
    this.#t = timeouts;
    this.dialer = dialer;
  }

  #pool(origin: string): Pool {
    let pool = this.#pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: 256,
        pipelining: 1,
        // Idle upstream connections live as long as nginx's upstream `keepalive_timeout` (60 s), so a
        // quiet minute does not cost a burst of new connections; an origin that announces a shorter
        // Keep-Alive timeout is still obeyed (undici closes 1 s before it).
        keepAliveTimeout: UPSTREAM_IDLE_MS,
        headersTimeout: this.#t.headersMs,
        bodyTimeout: this.#t.bodyMs,
        // undici only needs a Duplex from its connector (stream API, cork, ref checks guarded).
        connect: (_o, cb) => void this.dialer.connect({ origin, timeoutMs: this.#t.connectMs })
          .then((s) => cb(null, s as Socket), (e: Error) => cb(e, null)),
      });
      this.#pools.set(origin, pool);
    }
    return pool;
  }

  /**
   * Proxies one request. `headers` is a flat [name, value, …] list already cleaned by the caller.
   * Resolves when the exchange ends, never rejects: failures become a 502/504 for the client.
   */
  forward(req: IncomingMessage, res: ServerResponse, origin: string, path: string, headers: string[], onError: (status: 502 | 504) => void, requestId?: string): Promise<UpstreamOutcome> {
    return new Promise((resolve) => {
      const hasBody = req.headers['content-length'] !== undefined ? req.headers['content-length'] !== '0' : req.headers['transfer-encoding'] !== undefined;
      const exchange = new Exchange(res, onError, requestId, resolve);
      this.#pool(origin).dispatch({ path, method: req.method ?? 'GET', headers, body: hasBody ? req : null }, exchange);
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.#pools.values()].map((p) => p.close()));
    this.#pools.clear();
  }
}

/**
 * One proxied exchange: undici's handler and the client response's listeners in one object, its
 * methods on the prototype — no closures per request on the hot path (issue 17). The `drain`
 * listener is added only when the client falls behind, which a small response never does.
 */
class Exchange implements Dispatcher.DispatchHandler {
  readonly #res: ServerResponse;
  readonly #onError: (status: 502 | 504) => void;
  readonly #requestId: string | undefined;
  readonly #resolve: (o: UpstreamOutcome) => void;
  #controller: Dispatcher.DispatchController | null = null;
  #started = false;
  #done = false;
  #draining = false;

  constructor(res: ServerResponse, onError: (status: 502 | 504) => void, requestId: string | undefined, resolve: (o: UpstreamOutcome) => void) {
    this.#res = res;
    this.#onError = onError;
    this.#requestId = requestId;
    this.#resolve = resolve;
    res.on('close', this.#onClientClose);
  }

  readonly #onClientClose = (): void => {
    if (!this.#res.writableFinished) {
      this.#controller?.abort(new Error('client went away'));
      this.#finish({ status: this.#res.statusCode, error: 'client_gone' });
    }
  };

  readonly #onDrain = (): void => {
    this.#draining = false;
    this.#controller?.resume();
  };

  #finish(o: UpstreamOutcome): void {
    if (this.#done) return;
    this.#done = true;
    this.#resolve(o);
  }

  onRequestStart(c: Dispatcher.DispatchController): void {
    this.#controller = c;
  }

  onResponseStart(c: Dispatcher.DispatchController, statusCode: number, rawHeaders: Record<string, string | string[] | undefined>): void {
    if (statusCode < 200) return; // 1xx informational: the final response follows
    this.#started = true;
    const out = responseHeaders(rawHeaders);
    // The id users quote to the help desk, on every response (like Cloudflare's Ray ID).
    if (this.#requestId !== undefined) out.push('moatless-request-id', this.#requestId);
    this.#res.writeHead(statusCode, out);
    this.#controller = c;
  }

  onResponseData(c: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#res.write(chunk)) return;
    c.pause();
    if (!this.#draining) {
      this.#draining = true;
      this.#res.once('drain', this.#onDrain);
    }
  }

  onResponseEnd(): void {
    this.#res.end();
    this.#finish({ status: this.#res.statusCode });
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    const res = this.#res;
    const code = (err as { code?: string }).code ?? '';
    const timeout = code.includes('TIMEOUT');
    if (!this.#started && !res.headersSent) {
      const status = timeout ? 504 : 502;
      this.#onError(status);
      this.#finish({ status, error: timeout ? 'timeout' : 'connect' });
    } else {
      // Mid-stream failure: the status line is gone already; cut the connection so the client
      // sees a truncated response instead of a silently short one.
      res.destroy(err);
      this.#finish({ status: res.statusCode, error: 'reset' });
    }
  }
}
