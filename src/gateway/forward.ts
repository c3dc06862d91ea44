// Relays one HTTP request to the origin through a keep-alive pool (upstream-pool.ts, which dials
// the egress-checked address and, for HTTPS, verifies TLS), over the Gateway's HTTP/1.1 client (src/http1/):
// hop-by-hop headers out (RFC 9110 §7.6.1, plus whatever Connection names), proxy credentials
// never forwarded, the body streamed both ways with backpressure, the bytes sent to the client
// counted for the log. A small response with a known length (the common case) is answered with
// one write — status line, headers and body together — instead of a write per piece.
import type { Readable } from 'node:stream';
import type { H1Connection, Outgoing } from '../http1/connection.ts';
import { contentLength, IDEMPOTENT, requestBody } from '../http1/message.ts';
import type { ProxyRequest, Reply } from './responses.ts';
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
 * The request head for the origin: origin-form target, Host from the URL, the end-to-end fields
 * and `extra`, and the body's framing. `Expect` is dropped too: the client's server side (node:http,
 * or src/http1's) has already answered `100 Continue`. A body without Content-Length (both servers
 * refuse one with both) goes out re-chunked; a transfer coding other than chunked is not relayed (as with undici
 * before: request bodies with one are all but unknown).
 */
function requestHead(req: ProxyRequest, url: URL, extra: readonly [string, string][], chunked: boolean): string {
  const raw = req.rawHeaders;
  const named = connectionTokens(req.headers.connection);
  let head = `${req.method ?? 'GET'} ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n`;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (HOP_BY_HOP.has(name) || name === OURS || name === 'expect' || named?.has(name)) continue;
    head += `${raw[i]}: ${raw[i + 1]}\r\n`;
  }
  // Values are ours (the isolation marker), but a CR or LF would still split the head: left out.
  for (const [k, v] of extra) if (!/[\r\n]/.test(v)) head += `${k}: ${v}\r\n`;
  return `${head}${chunked ? 'transfer-encoding: chunked\r\n' : ''}\r\n`;
}

/** The origin's response fields minus hop-by-hop ones, flat, for writeHead (no keyed object built). */
function responseHeaders(raw: string[]): string[] {
  let connection: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.toLowerCase() === 'connection') connection = connection === undefined ? raw[i + 1] : `${connection},${raw[i + 1]}`;
  const named = connectionTokens(connection);
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (!HOP_BY_HOP.has(name) && name !== OURS && !named?.has(name)) out.push(raw[i]!, raw[i + 1]!);
  }
  return out;
}

export interface Forwarded {
  status: number;
  bytes: number;
}

export class UpstreamError extends Error {
  /** The origin had begun to answer (a response head arrived) when it failed. */
  readonly answered: boolean;
  constructor(message: string, options?: { cause?: unknown }, answered = false) {
    super(message, options);
    this.name = 'UpstreamError';
    this.answered = answered;
  }
}

/**
 * Rejects with UpstreamError (its cause: what failed, e.g. UpstreamCertificateError) when nothing
 * was sent to the client yet — the caller answers 502; a failure after that cuts the connection.
 */
export async function forward(req: ProxyRequest, body: Readable | null, res: Reply, to: UpstreamHandle, url: URL, timeoutMs: number, extra: readonly [string, string][] = []): Promise<Forwarded> {
  const { hasBody, chunked } = requestBody(req.headers);
  const out: Outgoing = {
    head: requestHead(req, url, extra, chunked), body: hasBody ? body : null, chunked,
    method: req.method ?? 'GET', timeoutMs,
  };
  to.inFlight++;
  try {
    let fresh = false;
    for (;;) {
      let conn: H1Connection, reused: boolean;
      try {
        ({ conn, reused } = await to.pool.acquire(fresh));
      } catch (err) {
        throw new UpstreamError('the upstream connection failed', { cause: err });
      }
      const r = await exchange(conn, out, res);
      if (!(r instanceof UpstreamError)) return r;
      // A kept-alive connection the origin closed as we reused it: once more on a new one, for an
      // idempotent request without body that got no response byte (RFC 9112 §9.3.1).
      if (!reused || hasBody || r.answered || !IDEMPOTENT.has(out.method) || res.destroyed) throw r;
      fresh = true;
    }
  } finally {
    to.inFlight--;
  }
}

/** One exchange on `conn`: the response goes to `res` (head and a small body in one write). */
function exchange(conn: H1Connection, out: Outgoing, res: Reply): Promise<Forwarded | UpstreamError> {
  return new Promise((resolve) => {
    let status = 502;
    let head: string[] | null = null;
    // Gathered body pieces while the response is small and its length known; null once streaming.
    let gathered: Buffer[] | null = null;
    let bytes = 0;
    let settled = false;
    const settle = (r: Forwarded | UpstreamError) => {
      if (settled) return;
      settled = true;
      res.off('close', onClose);
      res.off('drain', onDrain);
      resolve(r);
    };
    /** Headers go out now (streaming): the first body piece rides the same write. */
    const startStreaming = () => {
      if (head === null) return;
      res.writeHead(status, head);
      head = null;
      if (gathered) for (const b of gathered) res.write(b);
      gathered = null;
    };
    const onClose = () => {
      if (!res.writableFinished) {
        // The client went away: the response is not read to its end, so the connection is not reused.
        conn.destroy();
        settle({ status: res.statusCode, bytes });
      }
    };
    const onDrain = () => conn.resume();
    res.on('close', onClose);
    res.on('drain', onDrain);
    conn.send(out, {
      onHead(s, raw) {
        status = s;
        head = responseHeaders(raw);
        const length = contentLength(raw);
        if (out.method === 'HEAD' || (Number.isInteger(length) && length <= GATHER_MAX)) gathered = [];
        else startStreaming();
      },
      onData(chunk) {
        bytes += chunk.length;
        if (gathered) return void gathered.push(chunk);
        if (!res.write(chunk)) conn.pause();
      },
      onEnd() {
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
      onError(err, responded) {
        // Nothing sent yet (a gathered body is dropped): the caller answers with a 502 page.
        if (!res.headersSent) return settle(new UpstreamError('the upstream connection failed', { cause: err }, responded));
        // Mid-response: the status line is gone already; cut the connection so the client sees a
        // truncated response instead of a silently short one.
        res.destroy(err);
        settle({ status, bytes });
      },
    });
  });
}
