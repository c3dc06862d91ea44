// The Gateway's answers that are not the upstream's: 407 asking for a proxy credential, the block
// page (Access's branded deny page, with reason and request id) or a 307 to the rule's own URL,
// and the isolation hand-off. Pages are rendered by access/deny-page.ts; nothing here renders.
// Answers go to a `Reply`: node:http's ServerResponse (the listener) and src/http1's ServerReply
// (decrypted tunnels) both are one.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { renderDenyPage, sendDenyPage } from '../access/deny-page.ts';
import type { GatewayDecision } from '../policy/gateway-types.ts';

export const PROXY_REALM = 'Basic realm="Moatless Gateway", charset="UTF-8"';

/** What the gateway reads of a request: IncomingMessage and src/http1's ServerRequest both have it. */
export type ProxyRequest = Pick<IncomingMessage, 'method' | 'url' | 'headers' | 'rawHeaders'>;

/** What the gateway does with a response: ServerResponse and src/http1's ServerReply both do it. */
export interface Reply {
  readonly headersSent: boolean;
  readonly destroyed: boolean;
  readonly writableFinished: boolean;
  readonly statusCode: number;
  writeHead(status: number, fields?: Record<string, string | number | string[]> | string[]): unknown;
  write(chunk: Buffer): boolean;
  end(chunk?: string | Buffer): unknown;
  destroy(err?: Error): unknown;
  on(event: 'close' | 'drain', fn: () => void): unknown;
  off(event: 'close' | 'drain', fn: () => void): unknown;
}

/** Cloudflare isolates requests with `Accept: text/html*`: page navigations, not API calls. */
export function isNavigation(req: ProxyRequest): boolean {
  const accept = req.headers.accept ?? '';
  const dest = req.headers['sec-fetch-dest'];
  return (req.method === 'GET' || req.method === 'HEAD') && /text\/html/i.test(accept) && (dest === undefined || dest === 'document' || dest === 'iframe');
}

export function wantsJson(req: ProxyRequest): boolean {
  return !/text\/html/i.test(req.headers.accept ?? '') && /application\/json/i.test(req.headers.accept ?? '');
}

export function sendProxyAuthRequired(res: Reply, requestId: string, why: string): void {
  sendDenyPage(res, { status: 407, title: 'Proxy sign-in required', message: why, requestId }, false, { 'proxy-authenticate': PROXY_REALM });
}

/** The block page, or a 307 to the rule's redirect URL (Cloudflare's block-page redirect). */
export function sendBlock(res: Reply, req: ProxyRequest, d: GatewayDecision, requestId: string, debug: boolean, message?: string): number {
  const redirect = d.rule?.block?.redirect;
  if (redirect) {
    res.writeHead(307, { location: redirect, 'cache-control': 'no-store', 'moatless-request-id': requestId, 'content-length': 0 });
    res.end();
    return 307;
  }
  sendDenyPage(res, {
    status: 403, title: 'Blocked by your organisation',
    message: message ?? d.rule?.block?.message ?? `Your organisation's web policy${d.policy ? ` ("${d.policy.name}")` : ''} does not allow this site.`,
    requestId, ...(debug ? { reasons: d.reasons.map((r) => (r.detail ? `${r.code}: ${r.detail}` : r.code)) } : {}),
  }, wantsJson(req));
  return 403;
}

/** Isolate: a page navigation goes to the viewer on the auth host; anything else is blocked. */
export function sendIsolate(res: Reply, req: ProxyRequest, d: GatewayDecision, url: string, authOrigin: string, requestId: string, debug: boolean): { status: number; isolation: 'redirected' | 'blocked' } {
  if (!isNavigation(req)) {
    return { status: sendBlock(res, req, { ...d, rule: undefined }, requestId, debug, 'This site opens only in an isolated browser; requests other than page loads are blocked.'), isolation: 'blocked' };
  }
  res.writeHead(302, { location: `${authOrigin}/browser/${url}`, 'cache-control': 'no-store', 'moatless-request-id': requestId, 'content-length': 0 });
  res.end();
  return { status: 302, isolation: 'redirected' };
}

/** A raw response on a socket that is not an http.ServerResponse (CONNECT refusals). */
export function writeRaw(socket: Duplex, status: number, reason: string, requestId: string, extra: Record<string, string> = {}, message = reason): void {
  if (!socket.writable) return void socket.destroy();
  const body = renderDenyPage({ status, title: reason, message, requestId });
  const head = [`HTTP/1.1 ${status} ${reason}`, 'content-type: text/html; charset=utf-8', `content-length: ${Buffer.byteLength(body)}`,
    `moatless-request-id: ${requestId}`, 'connection: close', ...Object.entries(extra).map(([k, v]) => `${k}: ${v}`)];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy());
}
