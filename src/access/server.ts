// The front door: HTTP(S) listeners (listener.ts: protected apps on src/http1's lean server side, the
// auth host and forward-auth on node:http) with slow-client timeouts, one dispatcher for both, an
// error boundary that denies, and graceful shutdown.
import { IncomingMessage, type ServerResponse } from 'node:http';
import type { Server } from 'node:net';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import { AppRequests } from './app-request.ts';
import { AuthHost } from './auth-host.ts';
import { ForwardAuth, VERIFY_PATH } from './forward-auth.ts';
import type { AccessContext } from './context.ts';
import type { AccessRuntime, AppRoute } from './runtime.ts';
import { sendDenyPage } from './deny-page.ts';
import type { AccessReply, AccessRequest } from './http-types.ts';
import { createListener, type LeanHandlers, type Listener, type NodeHandlers } from './listener.ts';
import { guardRequest, type GuardResult } from './request-guard.ts';
import { requestInfo } from './request-info.ts';
import { handleUpgrade } from './websocket.ts';

const RECHECK_EVERY_MS = 1000;

export interface RunningListener {
  address: string;
  url: string;
  /** The accepting server (net or TLS). */
  server: Server;
  listener: Listener;
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
      const tls = l.tls
        ? { cert: readFileSync(resolve(cfg.baseDir, l.tls.certFile)), key: readFileSync(resolve(cfg.baseDir, l.tls.keyFile)) }
        : null;
      const listener = createListener(cfg.server, tls, this.#lean, this.#node);
      const server = listener.server;
      const [host, port] = splitAddress(l.address);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      const bound = server.address();
      const actualPort = typeof bound === 'object' && bound ? bound.port : port;
      const url = `${l.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
      this.#listeners.push({ address: `${host}:${actualPort}`, url, server, listener });
    }
    return this.#listeners;
  }

  /** Auth-host mounts whose path after the prefix is opaque (the isolation viewer's /browser/<URL>). */
  readonly #opaque = (host: string, path: string): boolean => host === this.#ctx.runtime().authHost && this.auth.mountAt(path)?.opaquePath === true;

  /** node:http's side: the auth host, forward-auth, and whatever else comes on a connection handed to it. */
  readonly #node: NodeHandlers = {
    request: (req, res) => {
      this.#inFlight++;
      res.on('close', this.#requestDone); // emitted once; `once` would wrap the listener per request
      void this.#dispatch(req, res, { req, res });
    },
    checkContinue: (req, res) => this.#onCheckContinue(req, res),
    upgrade: (req, socket, head) => void this.#onUpgrade(req, socket, head),
  };

  /**
   * The lean side (src/http1): every request but the auth host's, forward-auth's verify endpoint and
   * forwardAuth-mode apps, whose handlers take node:http's objects. The guard and route found by
   * `serves` are kept for the `request` or `upgrade` call that follows it at once for the same request.
   */
  readonly #lean: LeanHandlers = {
    serves: (req) => {
      const rt = this.#ctx.runtime();
      const { g, route } = this.#routed(rt, guardRequest(req, rt.config.server.limits.maxHeaderCount, this.#opaque));
      this.#checked = { req, g, route };
      return !g.ok || !(g.host === rt.authHost || g.path === VERIFY_PATH || route?.app.config.mode === 'forwardAuth');
    },
    request: (req, res) => {
      this.#inFlight++;
      void this.#dispatch(req, res, null).finally(this.#requestDone);
    },
    upgrade: (req, socket, head) => void this.#onUpgrade(req, socket, head),
  };
  #checked: { req: AccessRequest; g: GuardResult; route: AppRoute | null } | null = null;

  /** The guard and route of a request `serves` has just looked at, or looked up now. */
  #guarded(rt: AccessRuntime, req: AccessRequest): { g: GuardResult; route: AppRoute | null } {
    const c = this.#checked;
    this.#checked = null;
    if (c?.req === req) return c;
    return this.#routed(rt, guardRequest(req, rt.config.server.limits.maxHeaderCount, this.#opaque));
  }

  #routed(rt: AccessRuntime, g: GuardResult): { g: GuardResult; route: AppRoute | null } {
    return { g, route: g.ok ? rt.routes.lookup(g.host, g.path) : null };
  }

  /** `full`: node:http's objects, which the auth host and forward-auth need; null on the lean side, which never gets those requests. */
  async #dispatch(req: AccessRequest, res: AccessReply, full: { req: IncomingMessage; res: ServerResponse } | null): Promise<void> {
    const rt = this.#ctx.runtime();
    const info = requestInfo(rt, req, this.#ctx.now());
    try {
      const { g, route } = this.#guarded(rt, req);
      if (!g.ok) {
        sendDenyPage(res, { status: g.status, title: 'Bad request', message: g.message, requestId: info.id }, info.wantsJson);
        return;
      }
      if (this.#ctx.probes?.(rt, req, res, g.host, g.path)) return;
      if (g.path === VERIFY_PATH || g.host === rt.authHost || route?.app.config.mode === 'forwardAuth') {
        // `serves` sends these to node:http; reaching here without its objects is a bug: denied below.
        if (!full) throw new Error('a request for node:http reached the lean server');
        if (g.path === VERIFY_PATH) return await this.forwardAuth.verify(rt, full.req, full.res, info, g.query);
        if (g.host === rt.authHost) return await this.auth.handle(rt, full.req, full.res, info, g.path);
        return await this.forwardAuth.appHost(rt, route!, full.req, full.res, info, g.path, g.query);
      }
      if (!route) {
        sendDenyPage(res, {
          status: 404, title: 'Unknown application', message: 'No application is configured at this address.',
          requestId: info.id, support: rt.config.server.support,
        }, info.wantsJson);
        return;
      }
      await this.apps.handle(rt, route, req, res, info, g.path, g.query);
    } catch (err) {
      // Fail closed: whatever broke, the request does not reach the origin.
      this.#ctx.logger.error({ err, requestId: info.id, host: req.headers.host, path: req.url }, 'request failed; denied');
      sendDenyPage(res, {
        status: 503, title: 'Access check unavailable', message: 'Moatless could not verify this request, so it was refused. Try again shortly.',
        requestId: info.id, support: rt.config.server.support,
      }, info.wantsJson);
    }
  }

  /**
   * `Expect: 100-continue` (RFC 9110 §10.1.1): an auth-host mount may answer before the body is sent
   * (SCIM refuses an oversized Content-Length with 413); otherwise 100 Continue, as node does itself.
   * On the lean side the connection answers 100 Continue when the request's turn comes.
   */
  #onCheckContinue(req: IncomingMessage, res: ServerResponse): void {
    const rt = this.#ctx.runtime();
    const g = guardRequest(req, rt.config.server.limits.maxHeaderCount);
    if (g.ok && g.host === rt.authHost && this.auth.refuseBeforeBody(req, res, g.path)) return;
    res.writeContinue();
    this.#node.request(req, res);
  }

  async #onUpgrade(req: AccessRequest, socket: Duplex, head: Buffer): Promise<void> {
    const rt = this.#ctx.runtime();
    const info = requestInfo(rt, req, this.#ctx.now());
    socket.on('error', () => socket.destroy());
    this.#upgraded.add(socket);
    socket.once('close', () => this.#upgraded.delete(socket));
    try {
      // node:http's upgrades are guarded without the opaque-path exemption, as before; the lean
      // side's never are the auth host's, where alone that exemption applies.
      const { g, route } = req instanceof IncomingMessage
        ? this.#routed(rt, guardRequest(req, rt.config.server.limits.maxHeaderCount))
        : this.#guarded(rt, req);
      if (g.ok && g.host === rt.authHost && req instanceof IncomingMessage && this.auth.upgrade(req, socket, head, g.path)) return;
      // A forwardAuth app's upgrades go through its own proxy, never through Moatless.
      if (!g.ok || !route || g.host === rt.authHost || route.app.config.mode === 'forwardAuth') {
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
    for (const l of this.#listeners) l.listener.closeIdle();
    const deadline = Date.now() + graceMs;
    while (this.#inFlight > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
      for (const l of this.#listeners) l.listener.closeIdle();
    }
    for (const l of this.#listeners) l.listener.closeAll();
    for (const socket of this.#upgraded) socket.destroy();
    await Promise.all(closing);
  }
}

export function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[|\]$/g, '');
  return [host, Number(address.slice(i + 1))];
}
