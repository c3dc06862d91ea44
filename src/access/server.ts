// The front door: HTTP(S) listeners with slow-client timeouts, one dispatcher for the auth host and
// protected hosts, an error boundary that denies, and graceful shutdown.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import { AppRequests } from './app-request.ts';
import { AuthHost } from './auth-host.ts';
import { ForwardAuth, VERIFY_PATH } from './forward-auth.ts';
import type { AccessContext } from './context.ts';
import { sendDenyPage } from './deny-page.ts';
import { guardRequest } from './request-guard.ts';
import { requestInfo } from './request-info.ts';
import { handleUpgrade } from './websocket.ts';

const RECHECK_EVERY_MS = 1000;

export interface RunningListener {
  address: string;
  url: string;
  server: Server;
}

export class AccessServer {
  readonly #ctx: AccessContext;
  readonly apps: AppRequests;
  readonly auth: AuthHost;
  readonly forwardAuth: ForwardAuth;
  readonly #listeners: RunningListener[] = [];
  #inFlight = 0;
  /** Upgraded sockets (WebSockets) outlive their request: shutdown must end them, or close() waits forever. */
  readonly #upgraded = new Set<Duplex>();
  #rechecking = false;
  readonly #staleCheck: NodeJS.Timeout;
  /** One shared listener rather than a closure per request. */
  readonly #requestDone = (): void => { this.#inFlight--; };

  constructor(ctx: AccessContext) {
    this.#ctx = ctx;
    this.apps = new AppRequests(ctx);
    this.auth = new AuthHost(ctx);
    this.forwardAuth = new ForwardAuth(ctx, this.apps);
    ctx.sessions.onRevoked((n) => {
      const closed = ctx.connections.close(n);
      if (closed > 0) ctx.logger.info({ closed, reason: n.reason }, 'closed live connections of revoked sessions');
    });
    // Notices may have been missed: after the feed recovers, and every second while it is not
    // known to be fresh, every live connection is checked against the store.
    ctx.sessions.onResync(() => void this.#recheckConnections('change feed recovered'));
    this.#staleCheck = setInterval(() => {
      if (!ctx.sessions.cacheTrusted && ctx.connections.size > 0) void this.#recheckConnections('change feed not fresh');
    }, RECHECK_EVERY_MS);
    this.#staleCheck.unref();
  }

  async #recheckConnections(why: string): Promise<void> {
    if (this.#rechecking) return;
    this.#rechecking = true;
    const ctx = this.#ctx;
    try {
      const r = await ctx.connections.recheck(async (t) => {
        if (!(await ctx.sessions.resolveById(t.sessionId))) return false;
        if (t.parentId !== null && !(await ctx.sessions.resolveById(t.parentId))) return false;
        const d = ctx.directoryFacts ? await ctx.directoryFacts(t.email) : undefined;
        return !d || d.active;
      });
      if (r.closed > 0 || r.failed > 0) ctx.logger.warn({ ...r, why }, 're-checked live connections');
    } finally {
      this.#rechecking = false;
    }
  }

  get listeners(): readonly RunningListener[] {
    return this.#listeners;
  }

  async listen(): Promise<RunningListener[]> {
    const cfg = this.#ctx.runtime().config;
    for (const l of cfg.server.listeners) {
      const opts = {
        headersTimeout: cfg.server.timeouts.headers,
        requestTimeout: cfg.server.timeouts.request,
        keepAliveTimeout: cfg.server.timeouts.idle,
        // Node checks the header and request timeouts on this tick (default 30 s): without a
        // shorter one, a slowloris client gets far longer than `timeouts.headers`.
        connectionsCheckingInterval: Math.max(250, Math.min(1000, cfg.server.timeouts.headers / 4)),
        maxHeaderSize: cfg.server.limits.maxHeaderBytes,
        // Refuse rather than guess: requests with both Content-Length and Transfer-Encoding etc.
        insecureHTTPParser: false,
        requireHostHeader: true,
        joinDuplicateHeaders: false,
      };
      const handler = (req: IncomingMessage, res: ServerResponse) => void this.#onRequest(req, res);
      const server: Server = l.tls
        ? createHttpsServer({ ...opts, cert: readFileSync(resolve(cfg.baseDir, l.tls.certFile)), key: readFileSync(resolve(cfg.baseDir, l.tls.keyFile)) }, handler)
        : createHttpServer(opts, handler);
      server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => this.#onCheckContinue(req, res));
      server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.#onUpgrade(req, socket, head));
      server.on('clientError', (err, socket) => {
        const status = clientErrorStatus((err as { code?: string }).code);
        // Answer, then drop the connection: a half-closed socket would let a slowloris client keep
        // it open by writing on.
        if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`, () => socket.destroy());
        else socket.destroy();
      });
      const [host, port] = splitAddress(l.address);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      const bound = server.address();
      const actualPort = typeof bound === 'object' && bound ? bound.port : port;
      this.#listeners.push({ address: `${host}:${actualPort}`, url: `${l.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${actualPort}`, server });
    }
    return this.#listeners;
  }

  /** Auth-host mounts whose path after the prefix is opaque (the isolation viewer's /browser/<URL>). */
  readonly #opaque = (host: string, path: string): boolean => host === this.#ctx.runtime().authHost && this.auth.mountAt(path)?.opaquePath === true;

  async #onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rt = this.#ctx.runtime();
    const info = requestInfo(rt, req, this.#ctx.now());
    this.#inFlight++;
    res.on('close', this.#requestDone); // emitted once; `once` would wrap the listener per request
    try {
      const g = guardRequest(req, rt.config.server.limits.maxHeaderCount, this.#opaque);
      if (!g.ok) {
        sendDenyPage(res, { status: g.status, title: 'Bad request', message: g.message, requestId: info.id }, info.wantsJson);
        return;
      }
      if (this.#ctx.probes?.(rt, req, res, g.host, g.path)) return;
      if (g.path === VERIFY_PATH) return await this.forwardAuth.verify(rt, req, res, info, g.query);
      if (g.host === rt.authHost) {
        await this.auth.handle(rt, req, res, info, g.path);
        return;
      }
      const route = rt.routes.lookup(g.host, g.path);
      if (!route) {
        sendDenyPage(res, { status: 404, title: 'Unknown application', message: 'No application is configured at this address.', requestId: info.id, support: rt.config.server.support }, info.wantsJson);
        return;
      }
      if (route.app.config.mode === 'forwardAuth') return await this.forwardAuth.appHost(rt, route, req, res, info, g.path, g.query);
      await this.apps.handle(rt, route, req, res, info, g.path, g.query);
    } catch (err) {
      // Fail closed: whatever broke, the request does not reach the origin.
      this.#ctx.logger.error({ err, requestId: info.id, host: req.headers.host, path: req.url }, 'request failed; denied');
      sendDenyPage(res, { status: 503, title: 'Access check unavailable', message: 'Moatless could not verify this request, so it was refused. Try again shortly.', requestId: info.id, support: rt.config.server.support }, info.wantsJson);
    }
  }

  /**
   * `Expect: 100-continue` (RFC 9110 §10.1.1): an auth-host mount may answer before the body is sent
   * (SCIM refuses an oversized Content-Length with 413); otherwise 100 Continue, as node does itself.
   */
  #onCheckContinue(req: IncomingMessage, res: ServerResponse): void {
    const rt = this.#ctx.runtime();
    const g = guardRequest(req, rt.config.server.limits.maxHeaderCount);
    if (g.ok && g.host === rt.authHost && this.auth.refuseBeforeBody(req, res, g.path)) return;
    res.writeContinue();
    void this.#onRequest(req, res);
  }

  async #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const rt = this.#ctx.runtime();
    const info = requestInfo(rt, req, this.#ctx.now());
    socket.on('error', () => socket.destroy());
    this.#upgraded.add(socket);
    socket.once('close', () => this.#upgraded.delete(socket));
    try {
      const g = guardRequest(req, rt.config.server.limits.maxHeaderCount);
      if (g.ok && g.host === rt.authHost && this.auth.upgrade(req, socket, head, g.path)) return;
      const route = g.ok ? rt.routes.lookup(g.host, g.path) : null;
      // A forwardAuth app's upgrades go through its own proxy, never through Moatless.
      if (!g.ok || !route || route.app.config.mode === 'forwardAuth') {
        socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
        return;
      }
      await handleUpgrade(this.#ctx, this.apps, rt, route, req, socket, head, info, g.path);
    } catch (err) {
      this.#ctx.logger.error({ err, requestId: info.id }, 'upgrade failed; denied');
      socket.end('HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    }
  }

  /** Stops accepting, lets in-flight requests finish for up to `graceMs`, then cuts the rest. */
  async close(graceMs: number): Promise<void> {
    clearInterval(this.#staleCheck);
    const closing = this.#listeners.map((l) => new Promise<void>((resolve) => l.server.close(() => resolve())));
    for (const l of this.#listeners) l.server.closeIdleConnections();
    const deadline = Date.now() + graceMs;
    while (this.#inFlight > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
      for (const l of this.#listeners) l.server.closeIdleConnections();
    }
    for (const l of this.#listeners) l.server.closeAllConnections();
    for (const socket of this.#upgraded) socket.destroy();
    await Promise.all(closing);
  }
}

function clientErrorStatus(code: string | undefined): string {
  if (code === 'HPE_HEADER_OVERFLOW') return '431 Request Header Fields Too Large';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return '408 Request Timeout';
  return '400 Bad Request';
}

export function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[|\]$/g, '');
  return [host, Number(address.slice(i + 1))];
}
