// WebSocket (and any HTTP/1.1 Upgrade) pass-through: admitted like a request, then spliced to the
// upstream as raw bytes. The connection is tracked so a revocation closes it.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AppRequests } from './app-request.ts';
import { formatReason } from '../policy/reasons.ts';
import type { AccessContext } from './context.ts';
import type { RequestInfo } from './request-info.ts';
import type { AccessRuntime, AppRoute } from './runtime.ts';

function refuse(socket: Duplex, status: number, text: string, requestId: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\nmoatless-request-id: ${requestId}\r\n\r\n`);
}

export async function handleUpgrade(ctx: AccessContext, apps: AppRequests, rt: AccessRuntime, route: AppRoute, req: IncomingMessage, socket: Duplex, head: Buffer, info: RequestInfo, path: string): Promise<void> {
  const app = route.app;
  if (!app.config.websockets) return refuse(socket, 403, 'Forbidden', info.id);
  const a = await apps.admit(rt, route, req, info, path);
  const allowed = a.decision.action === 'allow' || a.decision.action === 'bypass' || a.decision.action === 'service_auth';
  ctx.accessLog.record({ time: info.started, requestId: info.id, userKey: a.identity?.userKey ?? null, email: a.identity?.email ?? null, appId: app.id, host: req.headers.host ?? '', path, method: 'UPGRADE', action: a.decision.action, policy: a.decision.policy?.name ?? null, reasons: a.decision.reasons.map(formatReason), status: allowed ? 101 : 403, durationMs: ctx.now() - info.started, clientIp: info.clientIp });
  if (!allowed) return refuse(socket, a.decision.action === 'authenticate' ? 401 : 403, a.decision.action === 'authenticate' ? 'Unauthorized' : 'Forbidden', info.id);

  const headers = apps.upstreamHeaders(rt, app, req, info, a);
  // The upgrade itself is hop-by-hop, so it is re-added explicitly.
  headers.push('connection', 'Upgrade', 'upgrade', String(req.headers.upgrade ?? 'websocket'));
  const target = new URL(app.upstreamOrigin);
  const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
  const upstream: Socket = target.protocol === 'https:' ? tlsConnect({ host: target.hostname, port, servername: target.hostname }) : netConnect({ host: target.hostname, port });
  upstream.setTimeout(ctx.runtime().config.server.timeouts.upstreamConnect, () => upstream.destroy(new Error('upstream connect timeout')));
  upstream.once(target.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
    upstream.setTimeout(0);
    let head0 = `${req.method} ${app.upstreamBasePath}${req.url} HTTP/1.1\r\n`;
    for (let i = 0; i < headers.length; i += 2) head0 += `${headers[i]}: ${headers[i + 1]}\r\n`;
    upstream.write(head0 + '\r\n');
    if (head.length > 0) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  const closeBoth = () => {
    upstream.destroy();
    socket.destroy();
  };
  upstream.on('error', () => {
    if (!upstream.readyState || upstream.bytesRead === 0) refuse(socket, 502, 'Bad Gateway', info.id);
    closeBoth();
  });
  socket.on('error', closeBoth);
  socket.on('close', closeBoth);
  upstream.on('close', closeBoth);
  if (a.session && a.identity) {
    ctx.connections.track({ socket: socket as Socket, sessionId: a.session.id, parentId: a.session.parentId, userKey: a.identity.userKey, email: a.identity.email, appId: app.id });
  }
}
