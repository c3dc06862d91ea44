// Parses what a proxy client asks for: a CONNECT authority (`host:port`, RFC 9110 §9.3.6) or an
// absolute-form request target (RFC 9112 §3.2.2), strictly. Hosts go through the WHATWG URL
// parser, which normalises IP literals in every spelling (decimal, octal, hex, IPv4-mapped IPv6),
// so policies and the egress check see one canonical form. Must not: resolve or dial.

export type Target =
  | { ok: true; host: string; port: number; url?: URL }
  | { ok: false; message: string };

const AUTHORITY = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/;

export function parseAuthority(authority: string | undefined): Target {
  if (!authority || authority.length > 300) return { ok: false, message: 'CONNECT needs host:port' };
  const m = AUTHORITY.exec(authority);
  if (!m) return { ok: false, message: 'CONNECT target must be host:port (no scheme, path or user info)' };
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return { ok: false, message: 'CONNECT port must be 1-65535' };
  let url: URL;
  try {
    url = new URL(`http://${m[1]}/`);
  } catch {
    return { ok: false, message: 'CONNECT host is not a valid hostname or IP address' };
  }
  return { ok: true, host: url.hostname, port };
}

/** Host header value → host and port as the URL parser sees them, or null. */
function hostHeader(value: string, scheme: string): string | null {
  try {
    const u = new URL(`${scheme}//${value}/`);
    return u.host;
  } catch {
    return null;
  }
}

/**
 * An absolute-form `http://` or `https://` target (the latter: the client asks the gateway to speak
 * TLS to the origin, as curl's `--proxy` with an https URL and no tunnel does); origin-form
 * (`/path`) means the client does not know it talks to a proxy. The Host header, when present, must name the same
 * authority: a disagreement is a smuggling or cache-poisoning attempt, refused rather than guessed.
 */
export function parseAbsoluteTarget(target: string | undefined, host: string | undefined): Target {
  if (!target || !/^https?:\/\//i.test(target)) {
    return { ok: false, message: 'a proxy request needs an absolute http:// or https:// URL' };
  }
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return { ok: false, message: 'the request URL is not a valid URL' };
  }
  if (url.username || url.password) return { ok: false, message: 'user info in the request URL is refused' };
  if (host !== undefined && hostHeader(host, url.protocol) !== url.host) {
    return { ok: false, message: 'the Host header does not match the request URL' };
  }
  return { ok: true, host: url.hostname, port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80, url };
}

/** A CONNECT tunnel's destination as every request decrypted from it is checked: built once per tunnel. */
export interface TunnelOrigin {
  host: string;
  port: number;
  /** `https://host[:port]`, the prefix of each decrypted request's URL. */
  origin: string;
  /** The Host header values that name the tunnel's host (lower case): `host[:port]` and `host:port`. */
  hostHeaders: readonly string[];
  /** The URL parser's `host` for the origin: every decrypted URL must keep it. */
  urlHost: string;
}

export function tunnelOrigin(host: string, port: number): TunnelOrigin {
  const authority = port === 443 ? host : `${host}:${port}`;
  const origin = `https://${authority}`;
  const hostHeaders = [...new Set([authority.toLowerCase(), `${host}:${port}`.toLowerCase()])];
  return { host, port, origin, hostHeaders, urlHost: new URL(origin).host };
}

/**
 * A request decrypted from a tunnel: origin-form only (RFC 9112 §3.2.1), its Host header (when
 * present) naming the tunnel's host — no domain fronting. The path is appended to the tunnel's
 * origin, never resolved against it: resolving turns `//other.example/x` (or `/\other.example/x`)
 * into a URL for another host. `url` is the origin's root when the target is refused (for the log).
 */
export function parseTunnelTarget(o: TunnelOrigin, target: string | undefined, host: string | undefined): { ok: boolean; url: URL } {
  let url: URL | null = null;
  if (target?.startsWith('/')) {
    try {
      url = new URL(o.origin + target);
    } catch {
      url = null;
    }
  }
  if (!url || url.host !== o.urlHost) return { ok: false, url: new URL(`${o.origin}/`) };
  return { ok: host === undefined || o.hostHeaders.includes(host.toLowerCase()), url };
}
