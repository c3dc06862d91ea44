// The request headers an origin receives: the client's, minus hop-by-hop fields, minus anything
// that could impersonate Moatless (assertion, identity headers, service-token headers, our cookies,
// untrusted X-Forwarded-*) or another identity-aware proxy, plus the verified identity.
// Names are compared normalised (lower case, `_` as `-`): CGI/WSGI-style origins read
// `Remote_User` and `remote-user` as the same HTTP_REMOTE_USER (RFC 3875 §4.1.18).
import type { AccessRequest } from './http-types.ts';
import { stripCookies } from './cookies.ts';
import { HOP_BY_HOP } from './upstream.ts';
import { unmap } from './client-ip.ts';

const FORWARDED = new Set(['forwarded', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'x-real-ip']);

/**
 * Identity headers other proxies set (oauth2-proxy, Apache/nginx auth modules, Azure App Service
 * Easy Auth, Cloudflare Access), which origins migrating from them still trust. Stripped from every
 * client unless the app lists one in `passClientHeaders`.
 */
const FAMILY_NAMES = new Set([
  'x-forwarded-user', 'x-forwarded-email', 'x-forwarded-groups',
  'x-forwarded-preferred-username', 'x-forwarded-access-token',
]);
const FAMILY_PREFIXES = [
  'x-auth-request-', 'remote-', 'x-remote-', 'x-moatless-', 'x-ms-client-principal', 'cf-access-',
];

/** Lower-case name → the name a CGI-style origin would see; allocates only when there is a `_`. */
export function normaliseHeaderName(lower: string): string {
  return lower.includes('_') ? lower.replaceAll('_', '-') : lower;
}

/** Whether a normalised name belongs to one of the default-stripped identity families. */
export function isIdentityFamily(n: string): boolean {
  if (FAMILY_NAMES.has(n)) return true;
  for (const p of FAMILY_PREFIXES) if (n.startsWith(p)) return true;
  return false;
}

export interface UpstreamHeaderInput {
  req: AccessRequest;
  /** Normalised names no client may send (every app's assertion and identity headers, …). */
  protectedHeaders: ReadonlySet<string>;
  /** Normalised family names this app lets through from the client (its `passClientHeaders`). */
  passClientHeaders: ReadonlySet<string>;
  isOurCookie: (name: string) => boolean;
  hostHeader: string;
  clientIp: string;
  /** The address that connected to us (a trusted proxy, or the client itself). */
  peer: string;
  proto: 'http' | 'https';
  /** Sent as `moatless-request-id`. */
  requestId: string;
  /** Identity headers to add, lower-case names, flat: [name, value, …]. */
  add: readonly string[];
  /** Forwarded chain from a trusted proxy to keep (already validated), or null. */
  priorForwardedFor: string | null;
}

const NO_TOKENS: readonly string[] = [];

export function buildUpstreamHeaders(i: UpstreamHeaderInput): string[] {
  const raw = i.req.rawHeaders;
  const connection = i.req.headers.connection;
  // Parsed only when present: keep-alive clients mostly send none, and this runs on every request.
  const connectionTokens = connection === undefined ? NO_TOKENS : connection.toLowerCase().split(',').map((s) => s.trim()).filter(Boolean);
  const out: string[] = [];
  for (let k = 0; k < raw.length; k += 2) {
    const name = raw[k]!.toLowerCase();
    if (name === 'host' || HOP_BY_HOP.has(name) || connectionTokens.includes(name)) continue;
    const n = normaliseHeaderName(name);
    if (FORWARDED.has(n) || i.protectedHeaders.has(n)) continue;
    // Anything prefixed like ours is refused too, so a renamed header in a future version stays safe.
    if (n.startsWith('moatless-') || (isIdentityFamily(n) && !i.passClientHeaders.has(n))) continue;
    if (name === 'cookie') {
      const kept = stripCookies(raw[k + 1], i.isOurCookie);
      if (kept !== null) out.push('cookie', kept);
      continue;
    }
    out.push(name, raw[k + 1]!);
  }
  out.push('host', i.hostHeader);
  // A trusted proxy's chain is extended with that proxy's own address (the hop it does not list);
  // from anyone else the chain starts fresh with the address we actually see.
  out.push('x-forwarded-for', i.priorForwardedFor ? `${i.priorForwardedFor}, ${unmap(i.peer)}` : i.clientIp);
  out.push('x-forwarded-proto', i.proto);
  out.push('x-forwarded-host', i.req.headers.host ?? '');
  out.push('moatless-request-id', i.requestId);
  for (let k = 0; k < i.add.length; k++) out.push(i.add[k]!);
  return out;
}

/** Header values must not carry CR/LF or other controls (header injection through a display name). */
export function safeHeaderValue(v: string): string {
  return v.replace(/[\x00-\x1f\x7f]/g, ' ');
}
