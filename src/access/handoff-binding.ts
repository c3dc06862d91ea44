// Binds a sign-in hand-off to the browser that asked for it. Without this, an attacker could sign in
// as themselves, keep the one-time `/.moatless/callback?code=…` link, and get a victim's browser to
// open it: the victim would then be working in the attacker's session (login CSRF / session
// fixation). The app host sets a random nonce cookie, scoped to its callback path, before sending
// the browser to the auth host; the hand-off only works where that cookie comes back.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { serializeCookie } from './cookies.ts';
import type { AppRoute } from './runtime.ts';

export const HANDOFF_COOKIE = 'moatless_handoff';
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

export function bindingCookie(route: AppRoute, nonce: string, secure: boolean): string {
  return serializeCookie(HANDOFF_COOKIE, nonce, { secure, sameSite: 'lax', maxAgeSeconds: LIFETIME_S, path: callbackPath(route) });
}

export function clearBindingCookie(route: AppRoute, secure: boolean): string {
  return serializeCookie(HANDOFF_COOKIE, '', { secure, sameSite: 'lax', maxAgeSeconds: 0, path: callbackPath(route) });
}

export function sameNonce(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
