// WebSocket (and any HTTP/1.1 Upgrade) pass-through: admitted like a request, then handed to the
// origin by upgrade-relay.ts, which joins the sockets only once the origin has answered 101. The
// connection is tracked so a revocation closes it.
import type { Duplex } from 'node:stream';
import { accessLogEntry, forwards } from './admission.ts';
import type { AppRequests } from './app-request.ts';
import type { AccessContext } from './context.ts';
import type { AccessRequest } from './http-types.ts';
import type { RequestInfo } from './request-info.ts';
import type { AccessRuntime, AppRoute } from './runtime.ts';
import { refuse, relayUpgrade } from './upgrade-relay.ts';

export async function handleUpgrade(ctx: AccessContext, apps: AppRequests, rt: AccessRuntime, route: AppRoute, req: AccessRequest, socket: Duplex, head: Buffer, info: RequestInfo, path: string): Promise<void> {
  const app = route.app;
  if (!app.config.websockets) return refuse(socket, 403, 'Forbidden', info.id);
  // A handshake carries no body (RFC 6455 §4.1); one that claims to is refused rather than relayed
  // with bytes the origin might read as a second request.
  const cl = req.headers['content-length'];
  if ((cl !== undefined && cl !== '0') || req.headers['transfer-encoding'] !== undefined) {
    return refuse(socket, 400, 'Bad Request', info.id);
  }
  const a = await apps.admit(rt, route, req, info, path);
  const host = req.headers.host ?? '';
  const log = (status: number) =>
    ctx.accessLog.record(accessLogEntry(info, app.id, host, path, 'UPGRADE', a.decision, a, status, ctx.now()));
  if (!forwards(a.decision.action)) {
    const status = a.decision.action === 'authenticate' ? 401 : 403;
    log(status);
    return refuse(socket, status, status === 401 ? 'Unauthorized' : 'Forbidden', info.id);
  }

  const headers = apps.upstreamHeaders(rt, app, req, info, a);
  // The upgrade itself is hop-by-hop, so it is re-added explicitly.
  headers.push('connection', 'Upgrade', 'upgrade', String(req.headers.upgrade ?? 'websocket'));
  if (a.session && a.identity) {
    ctx.connections.track({ socket, sessionId: a.session.id, parentId: a.session.parentId, userKey: a.identity.userKey, email: a.identity.email, appId: app.id });
  }
  const t = rt.config.server.timeouts;
  const status = await relayUpgrade(socket, head, {
    origin: app.upstreamOrigin, path: `${app.upstreamBasePath}${req.url}`, method: req.method ?? 'GET',
    headers, requestId: info.id, dialer: ctx.upstreams.dialer,
    timeouts: { connectMs: t.upstreamConnect, headersMs: t.upstreamHeaders, bodyMs: t.upstreamBody },
  });
  log(status);
}
