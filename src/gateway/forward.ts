// Relays one HTTP request to the origin through a keep-alive pool (upstream-pool.ts, which dials
// the egress-checked address and, for HTTPS, verifies TLS), with undici's dispatch API:
// hop-by-hop headers out (RFC 9110 §7.6.1, plus whatever Connection names), proxy credentials
// never forwarded, the body streamed both ways with backpressure, the bytes sent to the client
// counted for the log. A small response with a known length (the common case) is answered with
// one write — status line, headers and body together — instead of a write per piece.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { UpstreamHandle } from './upstream-pool.ts';

const HOP_BY_HOP = new Set([
  'connection', 'proxy-connection', 'keep-alive', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer',
  'transfer-encoding', 'upgrade', 'host',
]);

/** Set only by the Gateway itself (isolation-pass.ts): never relayed from a client. */
const OURS = 'moatless-isolated';

/** Bodies up to this size with a Content-Length are gathered and sent with the head in one write. */
const GATHER_MAX = 64 * 1024;

function connectionTokens(connection: string | string[] | undefined): Set<string> | null {
  if (connection === undefined) return null;
  return new Set(String(connection).toLowerCase().split(',').map((s) => s.trim()).filter(Boolean));
}

export function endToEnd(raw: readonly string[], connection: string | string[] | undefined): [string, string][] {
  const named = connectionTokens(connection);
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (!HOP_BY_HOP.has(name) && !named?.has(name) && name !== OURS) out.push([raw[i]!, raw[i + 1]!]);
  }
  return out;
}

/**
 * The request's end-to-end headers as a flat [name, value, …] list for undici. `Expect` is
 * dropped too: node's server has already answered `100 Continue` to the client, and undici
 * refuses the field.
 */
function requestHeaders(req: IncomingMessage, host: string, extra: readonly [string, string][]): string[] {
  const raw = req.rawHeaders;
  const named = connectionTokens(req.headers.connection);
  const out: string[] = ['host', host];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (HOP_BY_HOP.has(name) || name === OURS || name === 'expect' || named?.has(name)) continue;
    out.push(raw[i]!, raw[i + 1]!);
  }
  for (const [k, v] of extra) out.push(k, v);
  return out;
}

/** The origin's response headers minus hop-by-hop ones, flat, for writeHead (no keyed object built). */
function responseHeaders(h: Record<string, string | string[] | undefined>): string[] {
  const named = connectionTokens(h['connection']);
  const out: string[] = [];
  for (const name in h) {
    const v = h[name];
    if (v === undefined || HOP_BY_HOP.has(name) || name === OURS || named?.has(name)) continue;
    if (Array.isArray(v)) for (const one of v) out.push(name, one);
    else out.push(name, v);
  }
  return out;
}

export interface Forwarded {
  status: number;
  bytes: number;
}

export class UpstreamError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UpstreamError';
  }
}

/**
 * Rejects with UpstreamError (its cause: what failed, e.g. UpstreamCertificateError) when nothing
 * was sent to the client yet — the caller answers 502; a failure after that cuts the connection.
 */
export function forward(req: IncomingMessage, res: ServerResponse, to: UpstreamHandle, url: URL, timeoutMs: number, extra: readonly [string, string][] = []): Promise<Forwarded> {
  return new Promise((resolve, reject) => {
    const hasBody = req.headers['content-length'] !== undefined ? req.headers['content-length'] !== '0' : req.headers['transfer-encoding'] !== undefined;
    let controller: Dispatcher.DispatchController | null = null;
    let status = 502;
    let head: string[] | null = null;
    // Gathered body pieces while the response is small and its length known; null once streaming.
    let gathered: Buffer[] | null = null;
    let bytes = 0;
    let settled = false;
    to.inFlight++;
    const settle = (out: Forwarded | UpstreamError) => {
      if (settled) return;
      settled = true;
      to.inFlight--;
      if (out instanceof UpstreamError) reject(out);
      else resolve(out);
    };
    /** Headers go out now (streaming): the first body piece rides the same write. */
    const startStreaming = () => {
      if (head === null) return;
      res.writeHead(status, head);
      head = null;
      if (gathered) for (const b of gathered) res.write(b);
      gathered = null;
    };
    res.on('close', () => {
      if (!res.writableFinished) {
        controller?.abort(new Error('client went away'));
        settle({ status: res.statusCode, bytes });
      }
    });
    res.on('drain', () => controller?.resume());
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c;
      },
      onResponseStart(c, statusCode, headers) {
        if (statusCode < 200) return; // 1xx informational: the final response follows
        controller = c;
        status = statusCode;
        head = responseHeaders(headers);
        const length = Number(headers['content-length']);
        if (Number.isInteger(length) && length <= GATHER_MAX) gathered = [];
        else startStreaming();
      },
      onResponseData(c, chunk) {
        bytes += chunk.length;
        if (gathered) {
          gathered.push(chunk);
          return;
        }
        if (!res.write(chunk)) c.pause();
      },
      onResponseEnd() {
        if (head !== null) {
          // One write: status line, headers and the gathered body.
          res.writeHead(status, head);
          head = null;
          const body = gathered && gathered.length > 0 ? (gathered.length === 1 ? gathered[0]! : Buffer.concat(gathered)) : undefined;
          gathered = null;
          res.end(body);
        } else res.end();
        settle({ status, bytes });
      },
      onResponseError(_c, err) {
        // Nothing sent yet (a gathered body is dropped): the caller answers with a 502 page.
        if (!res.headersSent) {
          settle(new UpstreamError('the upstream connection failed', { cause: err }));
          return;
        }
        // Mid-response: the status line is gone already; cut the connection so the client sees a
        // truncated response instead of a silently short one.
        res.destroy(err);
        settle({ status, bytes });
      },
    };
    to.pool.dispatch({
      path: url.pathname + url.search, method: req.method ?? 'GET', headers: requestHeaders(req, url.host, extra),
      body: hasBody ? req : null, headersTimeout: timeoutMs, bodyTimeout: timeoutMs,
    }, handler);
  });
}
