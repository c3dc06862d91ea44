// Cookie parsing that never throws, Set-Cookie building, and removal of Moatless's own cookies from
// what the origin sees.

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header || header.length > 16_384) return null;
  let found: string | null = null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    // Two cookies of our name (a planted one on a parent domain, say) are ambiguous: take neither.
    if (found !== null) return null;
    found = part.slice(eq + 1).trim();
  }
  return found;
}

export function stripCookies(header: string | undefined, isOurs: (name: string) => boolean): string | null {
  if (!header) return null;
  const kept = header.split(';').filter((part) => {
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim();
    return name !== '' && !isOurs(name);
  });
  return kept.length > 0 ? kept.map((p) => p.trim()).join('; ') : null;
}

export interface CookieOptions {
  maxAgeSeconds?: number;
  secure: boolean;
  sameSite: 'lax' | 'strict' | 'none';
  path?: string;
  httpOnly?: boolean;
}

export function serializeCookie(name: string, value: string, o: CookieOptions): string {
  let s = `${name}=${value}; Path=${o.path ?? '/'}`;
  if (o.maxAgeSeconds !== undefined) s += `; Max-Age=${Math.max(0, Math.floor(o.maxAgeSeconds))}`;
  if (o.httpOnly !== false) s += '; HttpOnly';
  // SameSite=None is only honoured with Secure; on plain HTTP fall back to Lax rather than be dropped.
  const sameSite = o.sameSite === 'none' && !o.secure ? 'lax' : o.sameSite;
  s += `; SameSite=${sameSite[0]!.toUpperCase()}${sameSite.slice(1)}`;
  if (o.secure) s += '; Secure';
  return s;
}

export function expireCookie(name: string, secure: boolean): string {
  return serializeCookie(name, '', { maxAgeSeconds: 0, secure, sameSite: 'lax' });
}
