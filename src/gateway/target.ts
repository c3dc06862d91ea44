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
