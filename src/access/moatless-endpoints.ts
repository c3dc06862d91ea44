// The endpoints under /.moatless/ on every protected host: the sign-in hand-off, the JWKS origins
// verify assertions with, the caller's identity, and logout.
import type { AccessContext } from './context.ts';
import type { AccessReply, AccessRequest } from './http-types.ts';
import { readCookie, serializeCookie } from './cookies.ts';
import { sendDenyPage } from './deny-page.ts';
import { isNavigationOrUnknown, redirect, type RequestInfo } from './request-info.ts';
import { sessionCookieName, type AccessRuntime, type AppRoute } from './runtime.ts';
import { SignInStore } from './signin-store.ts';
import { bindingCookieName, clearBindingCookie, isBindingNonce, sameNonce } from './handoff-binding.ts';

/** `path` is relative to the app's mount point (`/.moatless/…`). */
export async function handleMoatlessEndpoint(ctx: AccessContext, rt: AccessRuntime, route: AppRoute, req: AccessRequest, res: AccessReply, info: RequestInfo, path: string, query: string): Promise<void> {
  const app = route.app;
  const secure = info.proto === 'https';
  const cookieName = sessionCookieName(route, secure);
  const expire = () => serializeCookie(cookieName, '', { secure, sameSite: 'lax', maxAgeSeconds: 0, path: route.cookiePath });
  switch (path) {
    case '/.moatless/certs': {
      const body = ctx.keys.jwksJson;
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    case '/.moatless/callback': {
      const code = new URLSearchParams(query.slice(1)).get('code') ?? '';
      const h = await new SignInStore(ctx.store.kv, ctx.now).takeHandoff(code);
      // The code must come back to the browser that started the sign-in (handoff-binding.ts): the
      // one holding the cookie this sign-in's nonce names, with that nonce in it.
      const nonce = h !== null && isBindingNonce(h.browserNonce) ? h.browserNonce : null;
      const bound = nonce ? readCookie(req.headers.cookie, bindingCookieName(nonce)) : null;
      const mine = nonce !== null && isBindingNonce(bound) && sameNonce(bound, nonce);
      const parent = h && mine && h.appId === app.id ? await ctx.sessions.resolveById(h.globalSessionId) : null;
      if (!h || !parent || nonce === null) {
        sendDenyPage(res, { status: 400, title: 'Sign-in expired', message: 'This sign-in link has expired or was already used. Open the application again.', requestId: info.id, support: rt.config.server.support }, info.wantsJson);
        return;
      }
      const { secret, record } = await ctx.sessions.createApp(parent, app.id, h.durationMs, parent.identity, info.clientIp, req.headers['user-agent'] ?? null);
      const cookie = serializeCookie(cookieName, secret, { secure, sameSite: rt.config.sessions.sameSite, maxAgeSeconds: (record.expiresAt - record.createdAt) / 1000, path: route.cookiePath });
      // Only the path of the return URL is used: the hand-off never leaves this host.
      const back = new URL(h.returnUrl);
      redirect(res, back.host === req.headers.host ? `${back.pathname}${back.search}` : `${route.base}/`, [cookie, clearBindingCookie(route, nonce, secure)], info.id);
      return;
    }
    case '/.moatless/identity': {
      const secret = readCookie(req.headers.cookie, cookieName);
      const s = secret ? await ctx.sessions.resolve(secret, { kind: 'app', appId: app.id }) : null;
      if (!s) {
        sendDenyPage(res, { status: 401, title: 'Not signed in', message: 'No session for this application.', requestId: info.id }, true);
        return;
      }
      const id = s.identity;
      const directory = ctx.directoryFacts ? await ctx.directoryFacts(id.email) : undefined;
      const body = JSON.stringify({
        email: id.email, name: id.name ?? null, user_key: id.userKey, idp: id.idp, groups: id.groupNames, group_ids: id.groups,
        amr: id.amr, acrs: id.acrs, app: app.id, ip: info.clientIp, country: info.country ?? null,
        session: { created_at: new Date(s.createdAt).toISOString(), expires_at: new Date(s.expiresAt).toISOString() },
        directory: directory ?? null,
      });
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    case '/.moatless/logout': {
      if (!isNavigationOrUnknown(req)) {
        sendDenyPage(res, { status: 403, title: 'Not signed out', message: 'Sign-out must be opened as a page.', requestId: info.id }, true);
        return;
      }
      const secret = readCookie(req.headers.cookie, cookieName);
      const s = secret ? await ctx.sessions.resolve(secret, { kind: 'app', appId: app.id }) : null;
      // Logout ends the sign-in itself, so every app session born from it dies too (Cloudflare does the same).
      if (s) await ctx.sessions.revokeFamily(s.parentId ?? s.id, 'logout');
      redirect(res, `${rt.authOrigin}/logout`, [expire()], info.id);
      return;
    }
    default:
      sendDenyPage(res, { status: 404, title: 'Not found', message: 'There is nothing at this address.', requestId: info.id }, info.wantsJson);
  }
}
