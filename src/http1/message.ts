// Facts about one HTTP/1.1 message that both proxies (Access and the Gateway) read the same way
// when relaying over connection.ts. Pure: no I/O; must not decide policy.
import type { IncomingHttpHeaders } from 'node:http';

/** A response's Content-Length from its flat [name, value, …] fields (NaN when absent). */
export function contentLength(raw: readonly string[]): number {
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.length === 14 && raw[i]!.toLowerCase() === 'content-length') return Number(raw[i + 1]);
  return Number.NaN;
}

/**
 * How a client's request body goes on: none, as it came (Content-Length), or re-chunked (node:http
 * has decoded a chunked one, and refused Content-Length with Transfer-Encoding).
 */
export function requestBody(h: IncomingHttpHeaders): { hasBody: boolean; chunked: boolean } {
  const length = h['content-length'];
  if (length !== undefined) return { hasBody: length !== '0', chunked: false };
  const hasBody = h['transfer-encoding'] !== undefined;
  return { hasBody, chunked: hasBody };
}

/** Methods retried once on a new connection when a reused one dropped before any response byte (RFC 9112 §9.3.1). */
export const IDEMPOTENT: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
