// The request a forward-auth caller (nginx auth_request, Traefik forwardAuth, Caddy forward_auth) asks
// about, read from the headers it sends: `X-Original-URL` (nginx, by convention), or
// `X-Forwarded-Host` + `X-Forwarded-Uri` (Traefik, Caddy) with the scheme from `X-Forwarded-Proto`.
// Must not: decide whether to believe them — only a trusted caller's are read (forward-auth.ts).
// Paths are checked like the request guard's (no dot segments, encoded slashes, …): the policy must
// see the path the origin will get, so anything ambiguous is refused rather than normalised.
import type { IncomingMessage } from 'node:http';
import { checkPath } from './request-guard.ts';

export interface ForwardedRequest {
  proto: 'http' | 'https';
  /** `name[:port]` as the client sent it, lower case. */
  host: string;
  /** The host name alone, for routing. */
  hostname: string;
  path: string;
  /** `?…` or ''. */
  query: string;
  method: string;
  /** The whole URL asked for: where a sign-in returns to. */
  url: string;
}

const URL_RE = /^(https?):\/\/([^/?#\s]+)(\/[^?#\s]*)?(\?[^#\s]*)?$/i;
const HOST_RE = /^([a-z0-9.-]{1,253}|\[[0-9a-f:.]+\])(:\d{1,5})?$/;
const METHOD_RE = /^[A-Za-z]{1,20}$/;

/** The request asked about, or the reason it cannot be read (for a 400). */
export function forwardedRequest(req: IncomingMessage, proto: 'http' | 'https'): ForwardedRequest | string {
  const original = one(req, 'x-original-url');
  const fwdHost = one(req, 'x-forwarded-host');
  const fwdUri = one(req, 'x-forwarded-uri') ?? one(req, 'x-original-uri');
  let text: string;
  if (original !== undefined) text = original;
  else if (fwdHost !== undefined && fwdUri !== undefined) text = `${proto}://${fwdHost}${fwdUri}`;
  else return 'send X-Original-URL, or X-Forwarded-Host and X-Forwarded-Uri, naming the request to check';
  const m = URL_RE.exec(text);
  if (!m) return 'the forwarded URL is not an absolute http(s) URL with a path';
  const host = m[2]!.toLowerCase();
  if (!HOST_RE.test(host)) return 'the forwarded host is malformed';
  const path = m[3] ?? '/';
  const problem = checkPath(path);
  if (problem) return `the forwarded path is refused: ${problem}`;
  const method = one(req, 'x-forwarded-method') ?? one(req, 'x-original-method') ?? 'GET';
  if (!METHOD_RE.test(method)) return 'the forwarded method is malformed';
  const bare = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  const scheme = m[1]!.toLowerCase() === 'https' ? 'https' : 'http';
  const query = m[4] ?? '';
  return {
    proto: scheme, host, hostname: bare.endsWith('.') ? bare.slice(0, -1) : bare, path, query,
    method: method.toUpperCase(), url: `${scheme}://${host}${path}${query}`,
  };
}

/** A header sent once; a repeated or comma-joined one is as good as absent (never guess which). */
function one(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}
