// Binds a sign-in hand-off to the browser that asked for it. Without this, an attacker could sign in
// as themselves, keep the one-time `/.moatless/callback?code=…` link, and get a victim's browser to
// open it: the victim would then be working in the attacker's session (login CSRF / session
// fixation). The app host sets a random nonce cookie, scoped to its callback path, before sending
// the browser to the auth host; the hand-off only works where that cookie comes back.
//
// Each sign-in has a cookie of its own, named after its nonce: with one shared name, two sign-ins
// of the same app in one browser (two tabs, or a favicon request racing the page) overwrote each
// other's nonce, and the first to come back got "Sign-in expired" (oauth2-proxy's
// --cookie-csrf-per-request answers the same problem).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { serializeCookie } from './cookies.ts';
import type { AppRoute } from './runtime.ts';

/** The name every binding cookie starts with; the rest comes from its nonce (bindingCookieName). */
export const HANDOFF_COOKIE_PREFIX = 'moatless_handoff_';
const LIFETIME_S = 15 * 60;

export function newBindingNonce(): string {
  return randomBytes(16).toString('base64url');
}

export function isBindingNonce(v: string | null | undefined): v is string {
  return typeof v === 'string' && /^[A-Za-z0-9_-]{22}$/.test(v);
}

export function callbackPath(route: AppRoute): string {
  return `${route.base}/.moatless/callback`;
}

/** `moatless_handoff_` + 12 characters of the nonce's SHA-256: one cookie per sign-in in flight. */
export function bindingCookieName(nonce: string): string {
  return HANDOFF_COOKIE_PREFIX + createHash('sha256').update(nonce).digest('base64url').slice(0, 12);
}

export function bindingCookie(route: AppRoute, nonce: string, secure: boolean): string {
  return serializeCookie(bindingCookieName(nonce), nonce, { secure, sameSite: 'lax', maxAgeSeconds: LIFETIME_S, path: callbackPath(route) });
}

export function clearBindingCookie(route: AppRoute, nonce: string, secure: boolean): string {
  return serializeCookie(bindingCookieName(nonce), '', { secure, sameSite: 'lax', maxAgeSeconds: 0, path: callbackPath(route) });
}

export function sameNonce(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
