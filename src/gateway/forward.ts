// Relays one HTTP request to the origin through a keep-alive pool's agent (upstream-pool.ts, which
// dials the egress-checked address and, for HTTPS, verifies TLS):
// hop-by-hop headers out (RFC 9110 §7.6.1, plus whatever Connection names), proxy credentials
// never forwarded, the body streamed both ways, the bytes sent to the client counted for the log.
import { request, type Agent, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';

const HOP_BY_HOP = new Set([
  'connection', 'proxy-connection', 'keep-alive', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer',
  'transfer-encoding', 'upgrade', 'host',
]);

/** Set only by the Gateway itself (isolation-pass.ts): never relayed from a client. */
const OURS = 'moatless-isolated';

export function endToEnd(raw: readonly string[], connection: string | string[] | undefined): [string, string][] {
  const named = new Set(String(connection ?? '').toLowerCase().split(',').map((s) => s.trim()).filter(Boolean));
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (!HOP_BY_HOP.has(name) && !named.has(name) && name !== OURS) out.push([raw[i]!, raw[i + 1]!]);
  }
  return out;
}

function responseHeaders(res: IncomingMessage): OutgoingHttpHeaders {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of endToEnd(res.rawHeaders, res.headers.connection)) {
    const key = k.toLowerCase();
    const prev = out[key];
    out[key] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
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

/** Rejects with UpstreamError when nothing was sent to the client yet (the caller answers 502). */
export interface Upstream {
  agent: Agent;
  /** The egress-checked address the agent dials, and the port. */
  ip: string;
  port: number;
}

export function forward(req: IncomingMessage, res: ServerResponse, to: Upstream, url: URL, timeoutMs: number, extra: [string, string][] = []): Promise<Forwarded> {
  return new Promise((resolve, reject) => {
    const headers: [string, string][] = [['host', url.host], ...endToEnd(req.rawHeaders, req.headers.connection), ...extra];
    const up = request({
      agent: to.agent, host: to.ip, port: to.port,
      method: req.method, path: url.pathname + url.search, headers: headers.flat() as unknown as IncomingHttpHeaders,
      setHost: false, timeout: timeoutMs,
    });
    let bytes = 0;
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      up.destroy();
      if (res.headersSent) {
        res.destroy();
        resolve({ status: res.statusCode, bytes });
      } else reject(new UpstreamError('the upstream connection failed', { cause: err }));
    };
    up.on('timeout', () => up.destroy(new Error('upstream timeout')));
    up.on('error', fail);
    up.on('response', (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.statusMessage, responseHeaders(ur));
      ur.on('data', (chunk: Buffer) => { bytes += chunk.length; });
      ur.on('error', fail);
      ur.on('aborted', () => fail(new Error('upstream aborted')));
      ur.pipe(res);
      res.on('finish', () => {
        if (settled) return;
        settled = true;
        resolve({ status: ur.statusCode ?? 502, bytes });
      });
    });
    res.on('close', () => { if (!res.writableFinished) up.destroy(); });
    req.pipe(up);
  });
}
