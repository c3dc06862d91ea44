// The connector's side of each stream: an HTTP server that never listens. Every stream the edge
// opens is handed to it as a connection; each request is matched to an ingress rule and proxied
// to the local service with the same streaming proxy and upgrade relay Access uses.
// Must not: listen on a port, or forward a request the assertion check refused.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { tcpDialer } from '../../access/dialer.ts';
import { refuse, relayUpgrade } from '../../access/upgrade-relay.ts';
import { HOP_BY_HOP, UpstreamPools, type UpstreamTimeouts } from '../../access/upstream.ts';
import type { AssertionCheck } from './assertion-check.ts';
import { matchIngress, type IngressRule } from './ingress.ts';

export interface OriginProxyOptions {
  rules: readonly IngressRule[];
  assertion: AssertionCheck | null;
  timeouts: UpstreamTimeouts;
  /** Names this connector in error pages. */
  hostname: string;
  onRequest: (outcome: 'ok' | 'origin_down' | 'no_assertion' | 'status') => void;
}

/** Request headers for the local service: hop-by-hop fields and those named in Connection dropped. */
function forwardHeaders(req: IncomingMessage): string[] {
  const named = String(req.headers.connection ?? '').toLowerCase().split(',').map((s) => s.trim());
  const out: string[] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i]!.toLowerCase();
    if (!HOP_BY_HOP.has(n) && !named.includes(n)) out.push(raw[i]!, raw[i + 1]!);
  }
  return out;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res: ServerResponse, status: number, title: string, message: string): void {
  const body = `<!doctype html><meta charset="utf-8"><title>${escapeHtml(title)}</title>`
    + `<body style="font:16px system-ui;margin:3rem"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

export class OriginProxy {
  readonly #o: OriginProxyOptions;
  readonly #pools: UpstreamPools;
  readonly #server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 });
  readonly #tunnelOf = new WeakMap<Duplex, string>();

  constructor(o: OriginProxyOptions) {
    this.#o = o;
    this.#pools = new UpstreamPools(o.timeouts, tcpDialer());
    this.#server.on('request', (req: IncomingMessage, res: ServerResponse) => void this.#request(req, res));
    this.#server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.#upgrade(req, socket, head));
    this.#server.on('clientError', (_err, socket: Duplex) => socket.destroy());
  }

  /** A stream the edge opened, carrying HTTP/1.1 for tunnel `tunnel`. */
  accept(stream: Duplex, tunnel: string): void {
    this.#tunnelOf.set(stream, tunnel);
    this.#server.emit('connection', stream);
  }

  async #admitted(req: IncomingMessage): Promise<boolean> {
    const a = this.#o.assertion;
    if (!a) return true;
    const v = req.headers[a.header];
    return a.verify(typeof v === 'string' ? v : undefined);
  }

  async #request(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const tunnel = this.#tunnelOf.get(req.socket) ?? '?';
    const rule = matchIngress(this.#o.rules, req.headers.host ?? '', (req.url ?? '/').split('?')[0]!);
    if (!(await this.#admitted(req))) {
      this.#o.onRequest('no_assertion');
      return page(res, 403, 'Refused by the connector', `Tunnel "${tunnel}" only forwards requests Moatless signed; this one carried no valid assertion.`);
    }
    if (rule.service.kind === 'status') {
      this.#o.onRequest('status');
      res.writeHead(rule.service.status, { 'content-length': '0' });
      return void res.end();
    }
    const { origin, basePath } = rule.service;
    const out = await this.#pools.forward(req, res, origin, basePath + (req.url ?? '/'), forwardHeaders(req), (status) => {
      page(res, status, status === 504 ? 'The private application did not answer in time' : 'The private application is down',
        `Tunnel "${tunnel}": the connector on ${this.#o.hostname} could not reach ${origin} (rule ${rule.text}).`);
    });
    this.#o.onRequest(out.error === 'connect' || out.error === 'timeout' ? 'origin_down' : 'ok');
  }

  async #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const rule = matchIngress(this.#o.rules, req.headers.host ?? '', (req.url ?? '/').split('?')[0]!);
    if (!(await this.#admitted(req))) return refuse(socket, 403, 'Forbidden', '-');
    if (rule.service.kind === 'status') return refuse(socket, rule.service.status, 'Refused', '-');
    const headers = forwardHeaders(req);
    headers.push('connection', 'Upgrade', 'upgrade', String(req.headers.upgrade ?? 'websocket'));
    const status = await relayUpgrade(socket, head, {
      origin: rule.service.origin, path: rule.service.basePath + (req.url ?? '/'), method: req.method ?? 'GET',
      headers, timeouts: this.#o.timeouts, requestId: String(req.headers['moatless-request-id'] ?? '-'), dialer: tcpDialer(),
    });
    this.#o.onRequest(status === 502 || status === 504 ? 'origin_down' : 'ok');
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await this.#pools.close();
  }
}
