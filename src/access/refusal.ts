// What a request that may not go on to the origin is given, wherever that is decided: the built-in
// proxy (app-request.ts) and forward-auth (forward-auth.ts) send the same sign-in redirect, step-up
// and deny page. Must not: decide — the Admission is already made.
import { formatReason } from '../policy/reasons.ts';
import type { Admission } from './admission.ts';
import type { AccessReply } from './http-types.ts';
import { sendDenyPage } from './deny-page.ts';
import { bindingCookie, newBindingNonce } from './handoff-binding.ts';
import { redirect, type RequestInfo } from './request-info.ts';
import type { AccessRuntime, AppRoute } from './runtime.ts';

/** Whether a refusal means "sign in (again)": no session yet, or a step-up for missing auth contexts. */
export function needsSignIn(a: Admission): boolean {
  return a.decision.action === 'authenticate' || (a.decision.stepUp !== undefined && a.identity !== undefined);
}

/**
 * Sends the refusal for `a` and returns the status sent. `back` is the full URL the user asked for:
 * where the sign-in returns to.
 */
export function sendRefusal(rt: AccessRuntime, route: AppRoute, res: AccessReply, info: RequestInfo, a: Admission, back: string): number {
  const d = a.decision;
  if (needsSignIn(a)) return toSignIn(rt, route, res, info, back, d.action === 'authenticate' ? [] : d.stepUp?.authContexts ?? []);
  const app = route.app;
  sendDenyPage(res, {
    status: 403, title: 'Access denied', requestId: info.id,
    message: a.identity ? `You are signed in as ${a.identity.email}, but your access policy does not allow ${app.name}.` : `${app.name} is not available to you.`,
    signOutUrl: `${rt.authOrigin}/logout`, support: rt.config.server.support,
    ...(rt.config.server.debugDenyReasons ? { reasons: d.reasons.map(formatReason) } : {}),
  }, info.wantsJson);
  return 403;
}

/**
 * Browsers go to the auth host, with a binding nonce cookie set on this app's callback path
 * (handoff-binding.ts); scripts (X-Requested-With: XMLHttpRequest) get a 401 they can act on.
 */
function toSignIn(rt: AccessRuntime, route: AppRoute, res: AccessReply, info: RequestInfo, back: string, acrs: readonly string[]): number {
  const start = new URL('/oauth2/start', rt.authOrigin);
  start.searchParams.set('rd', back);
  if (acrs.length > 0) start.searchParams.set('acrs', acrs.join(','));
  const nonce = newBindingNonce();
  start.searchParams.set('n', nonce);
  const cookie = bindingCookie(route, nonce, info.proto === 'https');
  if (info.wantsJson) {
    sendDenyPage(res, { status: 401, title: 'Authentication required', message: `Sign in at ${start.href}`, requestId: info.id }, true, { 'set-cookie': cookie });
    return 401;
  }
  redirect(res, start.href, [cookie], info.id);
  return 302;
}
