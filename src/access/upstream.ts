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
      let controller: Dispatcher.DispatchController | null = null;
      let started = false;
      let done = false;
      const finish = (o: UpstreamOutcome) => {
        if (done) return;
        done = true;
        resolve(o);
      };
      res.on('close', () => {
        if (!res.writableFinished) {
          controller?.abort(new Error('client went away'));
          finish({ status: res.statusCode, error: 'client_gone' });
        }
      });
      res.on('drain', () => controller?.resume());
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart(c) {
          controller = c;
        },
        onResponseStart(c, statusCode, rawHeaders) {
          if (statusCode < 200) return; // 1xx informational: the final response follows
          started = true;
          const out = responseHeaders(rawHeaders);
          // The id users quote to the help desk, on every response (like Cloudflare's Ray ID).
          if (requestId !== undefined) out.push('moatless-request-id', requestId);
          res.writeHead(statusCode, out);
          controller = c;
        },
        onResponseData(c, chunk) {
          if (!res.write(chunk)) c.pause();
        },
        onResponseEnd() {
          res.end();
          finish({ status: res.statusCode });
        },
        onResponseError(_c, err) {
          const code = (err as { code?: string }).code ?? '';
          const timeout = code.includes('TIMEOUT');
          if (!started && !res.headersSent) {
            const status = timeout ? 504 : 502;
            onError(status);
            finish({ status, error: timeout ? 'timeout' : 'connect' });
          } else {
            // Mid-stream failure: the status line is gone already; cut the connection so the client
            // sees a truncated response instead of a silently short one.
            res.destroy(err);
            finish({ status: res.statusCode, error: 'reset' });
          }
        },
      };
      this.#pool(origin).dispatch({ path, method: req.method ?? 'GET', headers, body: hasBody ? req : null }, handler);
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.#pools.values()].map((p) => p.close()));
    this.#pools.clear();
  }
}
