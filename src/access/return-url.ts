// Post-login return URLs: only ever a protected host of ours (or the auth host) — never an open redirect.
import type { AccessRuntime, AppRoute, CompiledApp } from './runtime.ts';
import { checkPath } from './request-guard.ts';

export interface ReturnTarget {
  url: URL;
  app: CompiledApp;
  route: AppRoute;
}

/** An absolute http(s) URL without credentials whose path passes the request guard, else null. */
function parseCandidate(raw: string | null): URL | null {
  if (!raw || raw.length > 4096) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username || url.password) return null;
  return checkPath(url.pathname) === null ? url : null;
}

export function parseReturnUrl(rt: AccessRuntime, raw: string | null): ReturnTarget | null {
  const url = parseCandidate(raw);
  if (!url) return null;
  // Plain HTTP return targets only when the auth host itself runs on HTTP (local/dev).
  if (url.protocol === 'http:' && rt.authOrigin.startsWith('https:')) return null;
  const route = rt.routes.lookup(url.hostname.toLowerCase(), url.pathname);
  if (!route) return null;
  return { url, app: route.app, route };
}

/**
 * Auth-host pages a sign-in may return to, only on the auth origin itself: the admin dashboard
 * (`/admin/…`), the isolation viewer (`/browser/<URL>`) and the Gateway's device page. Every other auth-host path (e.g.
 * /logout) stays refused.
 */
export const AUTH_HOST_RETURN_PREFIX = '/admin/';
/**
 * The viewer's path is opaque (`/browser/https://site/…` has `//` in it, which the path guard
 * refuses): it is not guarded as a path, because the viewer parses the address itself and opens only
 * http(s) addresses, for the signed-in user, under policy. Being on the auth origin, it cannot send
 * the browser anywhere else.
 */
export const VIEWER_RETURN_PREFIX = '/browser/';
/** The Gateway's "connect this device" page, which starts a sign-in when opened without a session. */
export const GATEWAY_DEVICES_RETURN = '/gateway/devices';

export function parseAuthHostReturn(rt: AccessRuntime, raw: string | null): URL | null {
  const url = parseCandidate(raw) ?? viewerCandidate(raw);
  if (!url || url.origin !== rt.authOrigin) return null;
  const p = url.pathname;
  return p.startsWith(AUTH_HOST_RETURN_PREFIX) || p.startsWith(VIEWER_RETURN_PREFIX) || p === GATEWAY_DEVICES_RETURN ? url : null;
}

function viewerCandidate(raw: string | null): URL | null {
  if (!raw || raw.length > 4096 || /[\x00-\x20\x7f\\]/.test(raw)) return null;
  try {
    const url = new URL(raw);
    return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password && url.pathname.startsWith(VIEWER_RETURN_PREFIX) ? url : null;
  } catch {
    return null;
  }
}
