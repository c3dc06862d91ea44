// `/metrics` on the auth host for Prometheus. Owns: who may scrape — with `admin.metricsToken` set,
// only a request bearing it; without, only a direct loopback connection (no X-Forwarded-For: a
// local reverse proxy would otherwise relay the internet) — and metering of other mounts (SCIM).
// Must not: answer anything but GET/HEAD, or say more than how to authenticate when refusing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthHostMount } from '../access/context.ts';
import type { Metrics } from './metrics.ts';

export const METRICS_PATH = '/metrics';

export function metricsMount(metrics: Metrics, token: () => string | null): AuthHostMount {
  return {
    prefix: METRICS_PATH,
    async handle(req, res, requestId) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, 'GET or HEAD only\n', { allow: 'GET, HEAD' });
      const expected = token();
      if (expected) {
        if (!bearerMatches(req.headers.authorization, expected)) {
          return text(res, 401, 'a valid bearer token is required (admin.metricsToken)\n', { 'www-authenticate': 'Bearer realm="moatless-metrics"' });
        }
      } else if (!isDirectLoopback(req)) {
        return text(res, 403, 'metrics are served to loopback only; set admin.metricsToken to scrape from elsewhere\n');
      }
      const { contentType, body } = await metrics.render();
      // The request id names the process that answered (its prefix), as on every proxied answer.
      res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...(requestId ? { 'moatless-request-id': requestId } : {}) });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
  };
}

/** Counts a mount's answers by method and status (SCIM), without touching the mount itself. */
export function meteredScimMount(mount: AuthHostMount, metrics: Metrics): AuthHostMount {
  return {
    ...mount,
    handle(req, res, requestId) {
      const method = (req.method ?? 'GET').toUpperCase();
      res.once('finish', () => metrics.scimRequest(method, res.statusCode));
      return mount.handle(req, res, requestId);
    },
  };
}

function bearerMatches(header: string | undefined, expected: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  // Equal-length digests, so the comparison's time says nothing about the token.
  const a = createHash('sha256').update(m[1]!).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function isDirectLoopback(req: IncomingMessage): boolean {
  const peer = req.socket.remoteAddress ?? '';
  const loopback = peer === '::1' || peer.startsWith('127.') || peer.startsWith('::ffff:127.');
  return loopback && req.headers['x-forwarded-for'] === undefined && req.headers.forwarded === undefined;
}

function text(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...headers });
  res.end(body);
}
