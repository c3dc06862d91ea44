// The first checks on every request, before any routing: request-target form, Host header, header
// abuse and path tricks. Anything odd is refused with 400 — never guessed at (fail closed).
import type { AccessRequest } from './http-types.ts';

export type GuardResult =
  | { ok: true; host: string; path: string; query: string }
  | { ok: false; status: 400 | 431; code: string; message: string };

const HOST_RE = /^([a-z0-9.-]{1,253}|\[[0-9a-f:.]+\])(:\d{1,5})?$/;
/** Headers that must appear at most once: two of them smuggle a second meaning past one parser. */
const SINGLETON = new Set(['host', 'content-length', 'authorization', 'cookie', 'transfer-encoding']);

/** `opaque(host, path)`: true where the path carries a value (a URL), exempt from checkPath. */
export function guardRequest(req: AccessRequest, maxHeaderCount: number, opaque?: (host: string, path: string) => boolean): GuardResult {
  const raw = req.rawHeaders;
  if (raw.length / 2 > maxHeaderCount) return { ok: false, status: 431, code: 'too_many_headers', message: 'too many request headers' };
  let seen: Set<string> | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (!SINGLETON.has(name)) continue;
    seen ??= new Set();
    // Browsers may split Cookie across lines only in HTTP/2; over HTTP/1.1 a repeat is an attack or a bug.
    if (seen.has(name)) return { ok: false, status: 400, code: 'duplicate_header', message: `duplicate ${name} header` };
    seen.add(name);
  }
  const url = req.url ?? '';
  // Absolute-form targets (GET http://other/ HTTP/1.1) belong to forward proxies, not to us.
  if (url[0] !== '/' || url.startsWith('//')) return { ok: false, status: 400, code: 'bad_request_target', message: 'request target must be a path' };
  const hostHeader = (req.headers.host ?? '').toLowerCase();
  if (!HOST_RE.test(hostHeader)) return { ok: false, status: 400, code: 'bad_host', message: 'missing or malformed Host header' };
  const host = hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.split(':')[0]!;
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q);
  const pathProblem = opaque?.(host, path) && !/[\x00-\x1f\x7f]/.test(path) ? null : checkPath(path);
  if (pathProblem) return { ok: false, status: 400, code: 'bad_path', message: pathProblem };
  return { ok: true, host: host.endsWith('.') ? host.slice(0, -1) : host, path, query };
}

/**
 * Rejects paths whose meaning differs between us and the upstream: dot segments (plain or encoded),
 * encoded slashes and backslashes, NUL, and empty segments. Path-prefix routing and path policies
 * are only sound if both sides see the same path.
 */
export function checkPath(path: string): string | null {
  if (path.includes('\\')) return 'backslash in path';
  if (path.includes('//')) return 'empty path segment';
  if (/%(2f|5c|00)/i.test(path)) return 'encoded slash, backslash or NUL in path';
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return 'malformed percent-encoding in path';
  }
  if (/(^|\/)\.\.?(\/|$)/.test(decoded)) return 'dot segment in path';
  if (/[\x00-\x1f\x7f]/.test(decoded)) return 'control character in path';
  return null;
}
