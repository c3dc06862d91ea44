// The forward proxy: one listener for explicit proxying — absolute-form HTTP and CONNECT tunnels
// (decrypted by the inspector unless a Do Not Inspect rule or `inspect: false` says otherwise).
// Every request: target parsed strictly → user identified → decided (decide.ts) → blocked,
// isolated, or dialled on the checked address → logged. Errors are contained per request; the
// listener keeps serving everyone else.
import type { SourceIpBindings } from './ip-binding.ts';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex, Readable } from 'node:stream';
import type { Logger } from 'pino';
import { ServerReply, type ServerRequest } from '../http1/server-connection.ts';
import { newRequestId } from '../access/request-info.ts';
import type { GatewayConfig } from '../config/schema/gateway.ts';
import type { CompiledGatewaySet } from '../policy/gateway-types.ts';
import type { ProxyCredentials } from './credentials.ts';
import { decide, matchedGroups, type Plan } from './decide.ts';
import type { Dialer } from './dialer.ts';
import type { Listener, Resolver } from './egress.ts';
import { forward } from './forward.ts';
import type { GatewayLog } from './gateway-log.ts';
import { identify, type Identified } from './identify.ts';
import { ISOLATED_HEADER, isolatedMarker, type IsolationPasses } from './isolation-pass.ts';
import { UpstreamCertificateError, type Inspector } from './inspector.ts';
import { UpstreamPool } from './upstream-pool.ts';
import { relayUpgrade } from './upgrade.ts';
import type { UntrustedCertificateAction } from '../policy/gateway-language.ts';
import { PROXY_REALM, sendBlock, sendIsolate, sendProxyAuthRequired, wantsJson, writeRaw, type ProxyRequest, type Reply } from './responses.ts';
import { parseAbsoluteTarget, parseAuthority, parseTunnelTarget, tunnelOrigin, type TunnelOrigin } from './target.ts';
import { sendDenyPage } from '../access/deny-page.ts';
import type { GatewayIsolation } from '../store/ports.ts';

export interface GatewayDeps {
  config(): { gateway: GatewayConfig; set: CompiledGatewaySet; authOrigin: string; debug: boolean };
  credentials: ProxyCredentials;
  log: GatewayLog;
  logger: Logger;
  now(): number;
  resolver: Resolver;
  dialer: Dialer;
  /** The process's own listeners (Access and the gateway), never dialled. */
  ownListeners(): readonly Listener[];
  /** Access's listeners, reachable only by remote browsers' traffic (their passes). */
  accessListeners?(): readonly Listener[];
  passes?: IsolationPasses | undefined;
  /** Users known by their address on trusted networks (`gateway.sourceIpBinding`). */
  ipBindings?: SourceIpBindings | undefined;
  inspector?: Inspector | undefined;
}

interface Ctx {
  id: string;
  started: number;
  sourceIp: string;
  auth: Extract<Identified, { ok: true }> | null;
}

/** Cloudflare's "untrusted certificate action" of the deciding Allow rule, for HTTPS origins; block by default. */
function untrustedAction(d: Plan['decision'], secure: { servername: string } | null): UntrustedCertificateAction {
  return (secure && d.action === 'allow' ? d.rule?.untrustedCertificate : undefined) ?? 'block';
}

export class GatewayProxy {
  readonly #d: GatewayDeps;
  #server: Server | null = null;
  readonly #tunnels = new Set<Duplex>();

  readonly #pool: UpstreamPool;

  constructor(deps: GatewayDeps) {
    this.#d = deps;
    this.#pool = new UpstreamPool({
      dial: (ip, port) => deps.dialer(ip, port, deps.config().gateway.timeouts.upstreamConnect),
      secure: (socket, servername, verify) => {
        if (!deps.inspector) throw new Error('HTTPS to an origin needs the TLS inspector');
        return deps.inspector.connectUpstream(socket, servername, verify);
      },
      idleMs: Math.min(deps.config().gateway.timeouts.idle, 60_000),
    });
  }

  async listen(address: string): Promise<{ host: string; port: number; url: string }> {
    const cfg = this.#d.config().gateway;
    const server = createServer({
      maxHeaderSize: cfg.maxHeaderBytes, headersTimeout: cfg.timeouts.handshake, requestTimeout: 0,
      keepAliveTimeout: 5_000, insecureHTTPParser: false, joinDuplicateHeaders: false,
      connectionsCheckingInterval: 1000,
    }, (req, res) => void this.#onRequest(req, res));
    server.on('connect', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.#onConnect(req, socket, head));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.#onUpgrade(req, socket, head));
    server.on('clientError', (err, socket) => {
      const code = (err as { code?: string }).code;
      const status = code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
      if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`, () => socket.destroy());
      else socket.destroy();
    });
    const i = address.lastIndexOf(':');
    const host = address.slice(0, i).replace(/^\[|\]$/g, '');
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(Number(address.slice(i + 1)), host, () => resolve());
    });
    this.#server = server;
    const a = server.address();
    const port = typeof a === 'object' && a ? a.port : 0;
    return { host, port, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}` };
  }

  async close(): Promise<void> {
    const s = this.#server;
    if (!s) return;
    for (const t of this.#tunnels) t.destroy();
    this.#pool.close();
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  #bySource(ip: string): { bindings: SourceIpBindings; ip: string } | undefined {
    // Off (no `sourceIpBinding`): no binding lookup, not even an empty await, on every request.
    const bindings = this.#d.ipBindings;
    return bindings?.enabled ? { bindings, ip } : undefined;
  }

  #ctx(req: IncomingMessage): Omit<Ctx, 'auth'> {
    return { id: newRequestId(), started: this.#d.now(), sourceIp: req.socket.remoteAddress ?? '' };
  }

  #env() {
    const c = this.#d.config();
    return { set: c.set, resolver: this.#d.resolver, ownListeners: this.#d.ownListeners(), accessListeners: this.#d.accessListeners?.() ?? [], now: this.#d.now() };
  }

  #log(ctx: Omit<Ctx, 'auth'> & { auth: Ctx['auth'] }, e: { host: string; url: string; method: string; status: number; bytes?: number; plan?: Plan; action?: string; reasons?: string[]; isolation?: GatewayIsolation }): void {
    const d = e.plan?.decision;
    this.#d.log.record({
      time: ctx.started, requestId: ctx.id, userKey: ctx.auth?.userKey ?? null, email: ctx.auth?.email ?? null,
      groups: e.plan ? matchedGroups(e.plan) : [], host: e.host, url: e.url, method: e.method,
      action: e.action ?? d?.action ?? 'refused', policy: d?.policy?.name ?? null,
      reasons: e.reasons ?? d?.reasons.map((r) => (r.detail ? `${r.code}: ${r.detail}` : r.code)) ?? [],
      status: e.status, bytes: e.bytes ?? 0, isolation: e.isolation ?? null, clientIp: ctx.sourceIp,
    });
  }

  async #onRequest(req: IncomingMessage, res: Reply): Promise<void> {
    const base = this.#ctx(req);
    try {
      const t = parseAbsoluteTarget(req.url, req.headers.host);
      if (!t.ok) {
        sendDenyPage(res, { status: 400, title: 'Bad request', message: t.message, requestId: base.id }, wantsJson(req));
        return this.#log({ ...base, auth: null }, { host: String(req.headers.host ?? ''), url: String(req.url ?? '').slice(0, 2000), method: req.method ?? '', status: 400, action: 'refused', reasons: [t.message] });
      }
      const auth = await identify(this.#d.credentials, req.headers['proxy-authorization'], this.#d.config().gateway.unidentified, this.#d.passes, this.#bySource(base.sourceIp));
      if (!auth.ok) {
        if (auth.status === 407) sendProxyAuthRequired(res, base.id, auth.why);
        else sendDenyPage(res, { status: 403, title: 'Blocked', message: auth.why, requestId: base.id }, wantsJson(req));
        return this.#log({ ...base, auth: null }, { host: t.host, url: t.url!.href, method: req.method ?? '', status: auth.status, action: 'refused', reasons: [`credential.${auth.reason}`] });
      }
      // https:// in absolute form: the gateway opens verified TLS to the origin itself (needs inspection's trust store).
      const secure = t.url!.protocol === 'https:' ? { servername: t.host } : null;
      if (secure && !this.#d.inspector) {
        sendDenyPage(res, { status: 400, title: 'Bad request', message: 'https:// requests need TLS inspection on; use CONNECT.', requestId: base.id }, wantsJson(req));
        return this.#log({ ...base, auth }, { host: t.host, url: t.url!.href, method: req.method ?? '', status: 400, action: 'refused', reasons: ['https.absolute_form_without_inspection'] });
      }
      await this.serve(req, req, res, { ...base, auth }, t.url!, secure);
    } catch (err) {
      this.#d.logger.error({ err, requestId: base.id }, 'gateway request failed');
      sendDenyPage(res, { status: 502, title: 'Gateway error', message: 'The gateway could not complete this request.', requestId: base.id }, wantsJson(req));
    }
  }

  /** Decides and answers one HTTP request (plain, or decrypted from a tunnel when `secure` is set). */
  async serve(req: ProxyRequest, body: Readable | null, res: Reply, ctx: Ctx, url: URL, secure: { servername: string } | null): Promise<void> {
    const port = url.port ? Number(url.port) : secure ? 443 : 80;
    const plan = await decide(this.#env(), 'http', { host: url.hostname, port, url, method: req.method ?? 'GET' }, ctx.sourceIp, ctx.auth?.who ?? {});
    const { authOrigin, debug } = this.#d.config();
    const log = (status: number, extra: { bytes?: number; isolation?: GatewayIsolation; reasons?: string[]; action?: string } = {}) =>
      this.#log(ctx, { host: plan.facts.request.host, url: url.href, method: req.method ?? '', status, plan, ...extra });
    const d = plan.decision;
    if (d.action === 'block') return log(sendBlock(res, req, d, ctx.id, debug));
    if (d.action === 'isolate') {
      const r = sendIsolate(res, req, d, url.href, authOrigin, ctx.id, debug);
      return log(r.status, { isolation: r.isolation });
    }
    if (!plan.egress.ok) {
      const status = sendBlock(res, req, { ...d, rule: undefined }, ctx.id, debug, `The gateway does not connect to this address: ${plan.egress.reason}.`);
      return log(status, { action: 'block', reasons: [`egress.refused: ${plan.egress.reason}`, ...d.reasons.map((r) => r.code)] });
    }
    // Cloudflare's "untrusted certificate action" of the deciding Allow rule; block by default.
    const untrusted = untrustedAction(d, secure);
    const ip = plan.destinationIp!;
    const upstream = this.#pool.poolFor({
      user: ctx.auth?.userKey ?? `anonymous:${ctx.sourceIp}`, ip, port,
      tls: secure ? { servername: secure.servername, verify: untrusted !== 'passThrough' } : null,
    });
    const marker: [string, string][] = plan.isolatedToAccess && ctx.auth?.userKey ? [[ISOLATED_HEADER, isolatedMarker(ctx.auth.userKey, this.#d.now())]] : [];
    try {
      const out = await forward(req, body, res, upstream, url, this.#d.config().gateway.timeouts.idle, marker);
      log(out.status, { bytes: out.bytes });
    } catch (err) {
      const cause = (err as Error).cause;
      if (cause instanceof UpstreamCertificateError) {
        const reasons = [`upstream.untrusted_certificate: ${cause.message}`];
        if (untrusted === 'error') {
          sendDenyPage(res, { status: 502, title: 'Untrusted certificate', message: cause.message, requestId: ctx.id }, wantsJson(req));
          return log(502, { reasons });
        }
        return log(sendBlock(res, req, { ...d, rule: undefined }, ctx.id, debug, cause.message), { action: 'block', reasons });
      }
      sendDenyPage(res, { status: 502, title: 'Site unreachable', message: `${url.host} could not be reached.`, requestId: ctx.id }, wantsJson(req));
      log(502, { reasons: [`upstream: ${cause instanceof Error ? cause.message : (err as Error).message}`] });
    }
  }

  async #onConnect(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const base = this.#ctx(req);
    socket.on('error', () => socket.destroy());
    const method = 'CONNECT';
    try {
      const t = parseAuthority(req.url);
      if (!t.ok) {
        writeRaw(socket, 400, 'Bad Request', base.id, {}, t.message);
        return this.#log({ ...base, auth: null }, { host: '', url: String(req.url ?? '').slice(0, 300), method, status: 400, action: 'refused', reasons: [t.message] });
      }
      const authHeader = req.headers['proxy-authorization'];
      const auth = await identify(this.#d.credentials, authHeader, this.#d.config().gateway.unidentified, this.#d.passes, this.#bySource(base.sourceIp));
      const where = `https://${t.host}:${t.port}`;
      if (!auth.ok) {
        writeRaw(socket, auth.status, auth.status === 407 ? 'Proxy Authentication Required' : 'Forbidden', base.id, auth.status === 407 ? { 'proxy-authenticate': PROXY_REALM } : {}, auth.why);
        return this.#log({ ...base, auth: null }, { host: t.host, url: where, method, status: auth.status, action: 'refused', reasons: [`credential.${auth.reason}`] });
      }
      const ctx: Ctx = { ...base, auth };
      const plan = await decide(this.#env(), 'connect', { host: t.host, port: t.port }, ctx.sourceIp, auth.who);
      const d = plan.decision;
      const inspector = this.#d.config().gateway.inspect ? this.#d.inspector : undefined;
      // Refused before any decryption: an HTTPS destination opens only through CONNECT-stage rules.
      if (!plan.egress.ok && d.action !== 'block') {
        writeRaw(socket, 403, 'Forbidden', base.id, {}, `The gateway does not connect to this address: ${plan.egress.reason}.`);
        return this.#log(ctx, { host: t.host, url: where, method, status: 403, plan, action: 'block', reasons: [`egress.refused: ${plan.egress.reason}`] });
      }
      if (d.action !== 'doNotInspect' && inspector) {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        this.#track(socket);
        const origin = tunnelOrigin(t.host, t.port);
        inspector.intercept(socket, head, t.host, (ireq, ires) => void this.#onDecrypted(ireq, ires, base, origin, authHeader),
          (ireq, isocket, ihead) => void this.#onDecrypted(ireq, { socket: isocket, head: ihead }, base, origin, authHeader));
        return;
      }
      if (d.action === 'block') {
        writeRaw(socket, 403, 'Forbidden', base.id, {}, d.rule?.block?.message ?? 'Blocked by your organisation\'s web policy.');
        return this.#log(ctx, { host: t.host, url: where, method, status: 403, plan });
      }
      await this.#tunnel(ctx, socket, head, plan, t.port, where);
    } catch (err) {
      this.#d.logger.error({ err, requestId: base.id }, 'gateway CONNECT failed');
      writeRaw(socket, 502, 'Bad Gateway', base.id);
    }
  }

  #track(socket: Duplex): void {
    this.#tunnels.add(socket);
    socket.once('close', () => this.#tunnels.delete(socket));
  }

  /** A blind tunnel (Do Not Inspect, or inspection off): bytes both ways, counted, idle-limited. */
  async #tunnel(ctx: Ctx, client: Duplex, head: Buffer, plan: Plan, port: number, where: string): Promise<void> {
    const timeouts = this.#d.config().gateway.timeouts;
    let upstream: Socket;
    try {
      upstream = await this.#d.dialer(plan.destinationIp!, port, timeouts.upstreamConnect);
    } catch (err) {
      writeRaw(client, 502, 'Bad Gateway', ctx.id, {}, 'The site could not be reached.');
      return this.#log(ctx, { host: plan.facts.request.host, url: where, method: 'CONNECT', status: 502, plan, reasons: [`upstream: ${(err as Error).message}`] });
    }
    this.#track(client);
    let bytes = 0;
    upstream.on('data', (c: Buffer) => { bytes += c.length; });
    client.on('data', (c: Buffer) => { bytes += c.length; });
    upstream.setTimeout(timeouts.idle, () => upstream.destroy());
    const done = () => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', done);
    upstream.on('close', done);
    client.on('close', () => {
      done();
      this.#log(ctx, { host: plan.facts.request.host, url: where, method: 'CONNECT', status: 200, plan, bytes });
    });
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) upstream.write(head);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** A request decrypted from a CONNECT tunnel: the tunnel's credential is checked again, every time. */
  async #onDecrypted(req: ServerRequest, out: ServerReply | { socket: Duplex; head: Buffer }, connect: Omit<Ctx, 'auth'>, t: TunnelOrigin, authHeader: string | undefined): Promise<void> {
    const base = { ...connect, id: newRequestId(), started: this.#d.now() };
    // A decrypted request answers on its ServerReply; a decrypted Upgrade on its raw socket.
    const fail = (status: number, title: string, message: string) => (!(out instanceof ServerReply)
      ? writeRaw(out.socket, status, title, base.id, {}, message)
      : sendDenyPage(out, { status, title, message, requestId: base.id }, wantsJson(req)));
    try {
      // Domain fronting: the Host (and the URL) inside the tunnel must be the host the tunnel was opened to.
      const { ok, url } = parseTunnelTarget(t, req.url, req.headers.host);
      if (!ok) {
        fail(400, 'Bad request', 'The Host header does not match the site this connection was opened to.');
        return this.#log({ ...base, auth: null }, { host: t.host, url: url.href, method: req.method ?? '', status: 400, action: 'refused', reasons: ['host.mismatch'] });
      }
      const auth = await identify(this.#d.credentials, authHeader, this.#d.config().gateway.unidentified, this.#d.passes, this.#bySource(base.sourceIp));
      if (!auth.ok) {
        // Inside a tunnel the client cannot answer a 407; the page says what to do.
        fail(403, 'Proxy sign-in ended', auth.why);
        return this.#log({ ...base, auth: null }, { host: t.host, url: url.href, method: req.method ?? '', status: 403, action: 'refused', reasons: [`credential.${auth.reason}`] });
      }
      if (out instanceof ServerReply) await this.serve(req, req.body, out, { ...base, auth }, url, { servername: t.host });
      else await this.upgrade(req, out.socket, out.head, { ...base, auth }, url, { servername: t.host });
    } catch (err) {
      this.#d.logger.error({ err, requestId: base.id }, 'gateway decrypted request failed');
      fail(502, 'Gateway error', 'The gateway could not complete this request.');
    }
  }

  async #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const base = this.#ctx(req);
    socket.on('error', () => socket.destroy());
    const method = req.method ?? '';
    try {
      const t = parseAbsoluteTarget(req.url, req.headers.host);
      if (!t.ok) {
        writeRaw(socket, 400, 'Bad Request', base.id, {}, t.message);
        return this.#log({ ...base, auth: null }, { host: String(req.headers.host ?? ''), url: String(req.url ?? '').slice(0, 2000), method, status: 400, action: 'refused', reasons: [t.message] });
      }
      const auth = await identify(this.#d.credentials, req.headers['proxy-authorization'], this.#d.config().gateway.unidentified, this.#d.passes, this.#bySource(base.sourceIp));
      if (!auth.ok) {
        writeRaw(socket, auth.status, auth.status === 407 ? 'Proxy Authentication Required' : 'Forbidden', base.id, auth.status === 407 ? { 'proxy-authenticate': PROXY_REALM } : {}, auth.why);
        return this.#log({ ...base, auth: null }, { host: t.host, url: t.url!.href, method, status: auth.status, action: 'refused', reasons: [`credential.${auth.reason}`] });
      }
      const secure = t.url!.protocol === 'https:' ? { servername: t.host } : null;
      if (secure && !this.#d.inspector) {
        writeRaw(socket, 400, 'Bad Request', base.id, {}, 'https:// requests need TLS inspection on; use CONNECT.');
        return this.#log({ ...base, auth }, { host: t.host, url: t.url!.href, method, status: 400, action: 'refused', reasons: ['https.absolute_form_without_inspection'] });
      }
      await this.upgrade(req, socket, head, { ...base, auth }, t.url!, secure);
    } catch (err) {
      this.#d.logger.error({ err, requestId: base.id }, 'gateway upgrade failed');
      writeRaw(socket, 502, 'Bad Gateway', base.id);
    }
  }

  /** Decides and relays one Upgrade (WebSocket) request: the same rules as any HTTP request, at the upgrade. */
  async upgrade(req: ProxyRequest, socket: Duplex, head: Buffer, ctx: Ctx, url: URL, secure: { servername: string } | null): Promise<void> {
    const port = url.port ? Number(url.port) : secure ? 443 : 80;
    const plan = await decide(this.#env(), 'http', { host: url.hostname, port, url, method: req.method ?? 'GET' }, ctx.sourceIp, ctx.auth?.who ?? {});
    const log = (status: number, extra: { bytes?: number; isolation?: GatewayIsolation; reasons?: string[]; action?: string } = {}) =>
      this.#log(ctx, { host: plan.facts.request.host, url: url.href, method: req.method ?? '', status, plan, ...extra });
    const d = plan.decision;
    // Isolate: a WebSocket is never a page load, so it is blocked like any other non-navigation request.
    if (d.action === 'block' || d.action === 'isolate') {
      writeRaw(socket, 403, 'Forbidden', ctx.id, {}, d.rule?.block?.message ?? 'Blocked by your organisation\'s web policy.');
      return log(403, d.action === 'isolate' ? { isolation: 'blocked' } : {});
    }
    if (!plan.egress.ok) {
      writeRaw(socket, 403, 'Forbidden', ctx.id, {}, `The gateway does not connect to this address: ${plan.egress.reason}.`);
      return log(403, { action: 'block', reasons: [`egress.refused: ${plan.egress.reason}`] });
    }
    const untrusted = untrustedAction(d, secure);
    const timeouts = this.#d.config().gateway.timeouts;
    let upstream: Duplex;
    try {
      const tcp = await this.#d.dialer(plan.destinationIp!, port, timeouts.upstreamConnect);
      upstream = secure ? await this.#d.inspector!.connectUpstream(tcp, secure.servername, untrusted !== 'passThrough') : tcp;
    } catch (err) {
      const cert = err instanceof UpstreamCertificateError;
      writeRaw(socket, cert && untrusted === 'block' ? 403 : 502, cert && untrusted === 'block' ? 'Forbidden' : 'Bad Gateway', ctx.id, {}, cert ? (err as Error).message : `${url.host} could not be reached.`);
      return log(cert && untrusted === 'block' ? 403 : 502, { reasons: [`${cert ? 'upstream.untrusted_certificate' : 'upstream'}: ${(err as Error).message}`], ...(cert && untrusted === 'block' ? { action: 'block' } : {}) });
    }
    const marker: [string, string][] = plan.isolatedToAccess && ctx.auth?.userKey ? [[ISOLATED_HEADER, isolatedMarker(ctx.auth.userKey, this.#d.now())]] : [];
    this.#track(socket);
    const out = await relayUpgrade(req, socket, head, upstream, url, timeouts.idle, marker);
    log(out.status, { bytes: out.bytes });
  }
}
