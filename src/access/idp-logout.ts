// Logout started by the identity provider, so signing out of Entra (or any OIDC IdP) signs out of
// Moatless too. Two doors on the auth host, one per IdP id:
// - POST /oauth2/backchannel-logout/<idp>: OpenID Connect Back-Channel Logout 1.0 — the IdP posts a
//   signed `logout_token` server to server; its sid/sub end the matching sign-ins.
// - GET /oauth2/frontchannel-logout/<idp>?sid=…&iss=…: OpenID Connect Front-Channel Logout 1.0 as
//   Entra does it — the IdP's sign-out page loads this in an iframe.
// Either way the sessions end on every replica (store + change feed, like any revocation).
// Owns: both requests' checks and answers, and jti replay protection. Must not: validate tokens
// itself (identity/logout-token.ts does) or touch session rows directly.
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLarge, readBody } from '../directory/http/read-body.ts';
import { LogoutTokenError } from '../identity/logout-token.ts';
import type { IdentityProviderAdapter } from '../identity/provider.ts';
import type { AccessContext } from './context.ts';
import { expireCookie, readCookie } from './cookies.ts';
import { isNavigationOrUnknown, type RequestInfo } from './request-info.ts';
import type { AccessRuntime } from './runtime.ts';

export const BACKCHANNEL_PREFIX = '/oauth2/backchannel-logout/';
export const FRONTCHANNEL_PREFIX = '/oauth2/frontchannel-logout/';
/** Key-value namespace of logout_token ids already used (replay protection across replicas). */
export const LOGOUT_JTI_NS = 'idp-logout-jti';
const MAX_BODY = 16 * 1024;

export interface IdpLogoutRoute {
  channel: 'back' | 'front';
  idp: string;
}

export function idpLogoutRoute(path: string): IdpLogoutRoute | null {
  for (const [prefix, channel] of [[BACKCHANNEL_PREFIX, 'back'], [FRONTCHANNEL_PREFIX, 'front']] as const) {
    if (path.startsWith(prefix)) return { channel, idp: path.slice(prefix.length) };
  }
  return null;
}

export async function handleIdpLogout(ctx: AccessContext, rt: AccessRuntime, req: IncomingMessage, res: ServerResponse, info: RequestInfo, route: IdpLogoutRoute): Promise<void> {
  const idp = rt.idps.get(route.idp);
  if (route.channel === 'back') return backChannel(ctx, idp, route.idp, req, res, info);
  return frontChannel(ctx, rt, idp, route.idp, req, res, info);
}

/** §2.8: 200 on success; 400 with an OAuth-style error body otherwise; never cached. */
function answer(res: ServerResponse, status: number, error?: { error: string; description: string }, extra: Record<string, string> = {}): void {
  const body = error ? JSON.stringify({ error: error.error, error_description: error.description }) : '';
  res.writeHead(status, { 'cache-control': 'no-store', ...(body ? { 'content-type': 'application/json' } : {}), ...extra });
  res.end(body);
}

async function backChannel(ctx: AccessContext, idp: IdentityProviderAdapter | undefined, idpId: string, req: IncomingMessage, res: ServerResponse, info: RequestInfo): Promise<void> {
  if (req.method !== 'POST') return answer(res, 405, { error: 'invalid_request', description: 'back-channel logout takes POST' }, { allow: 'POST' });
  if (!idp?.idpLogout) return answer(res, 404, { error: 'invalid_request', description: `no identity provider "${idpId}" that supports logout` });
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return answer(res, 415, { error: 'invalid_request', description: 'the body must be application/x-www-form-urlencoded' });
  let token: string | null;
  try {
    token = new URLSearchParams((await readBody(req, MAX_BODY)).toString('utf8')).get('logout_token');
  } catch (err) {
    if (err instanceof BodyTooLarge) return answer(res, 413, { error: 'invalid_request', description: 'the body is too large' }, { connection: 'close' });
    throw err;
  }
  if (!token) return answer(res, 400, { error: 'invalid_request', description: 'logout_token is missing' });
  let claims;
  try {
    claims = await (await idp.idpLogout()).verify(token);
  } catch (err) {
    if (err instanceof LogoutTokenError) {
      ctx.logger.warn({ requestId: info.id, idp: idpId, reason: err.message }, 'back-channel logout refused');
      return answer(res, 400, { error: 'invalid_request', description: err.message });
    }
    // The IdP's keys could not be fetched: the IdP may retry later.
    ctx.logger.warn({ requestId: info.id, idp: idpId, err }, 'back-channel logout: the identity provider\'s keys are unavailable');
    return answer(res, 503, { error: 'temporarily_unavailable', description: 'the identity provider\'s signing keys could not be read' });
  }
  // §2.6 step 8: a token seen before is refused. Claimed in the shared store, so a replay to another
  // replica fails too; remembered for as long as the token would still be accepted.
  const key = createHash('sha256').update(`${claims.iss}\n${claims.jti}`).digest('hex');
  const fresh = await ctx.store.kv.claim(LOGOUT_JTI_NS, key, randomUUID(), claims.rememberUntil * 1000);
  if (!fresh) {
    ctx.logger.warn({ requestId: info.id, idp: idpId }, 'back-channel logout refused: jti replayed');
    return answer(res, 400, { error: 'invalid_request', description: 'the logout_token was already used (jti)' });
  }
  const ended = await ctx.sessions.revokeIdpSession({ idp: idpId, ...(claims.sid ? { sid: claims.sid } : {}), ...(claims.sub ? { sub: claims.sub } : {}) }, 'idp back-channel logout');
  ctx.logger.info({ requestId: info.id, idp: idpId, ended, by: claims.sid ? 'sid' : 'sub' }, 'back-channel logout');
  answer(res, 200);
}

async function frontChannel(ctx: AccessContext, rt: AccessRuntime, idp: IdentityProviderAdapter | undefined, idpId: string, req: IncomingMessage, res: ServerResponse, info: RequestInfo): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return answer(res, 405, { error: 'invalid_request', description: 'front-channel logout takes GET' }, { allow: 'GET, HEAD' });
  if (!idp?.idpLogout) return answer(res, 404, { error: 'invalid_request', description: `no identity provider "${idpId}" that supports logout` });
  const url = new URL(req.url ?? '/', rt.authOrigin);
  const sid = url.searchParams.get('sid');
  const iss = url.searchParams.get('iss');
  let issuer: string;
  try {
    issuer = (await idp.idpLogout()).issuer;
  } catch (err) {
    ctx.logger.warn({ requestId: info.id, idp: idpId, err }, 'front-channel logout: the identity provider is unreachable');
    return answer(res, 503, { error: 'temporarily_unavailable', description: 'the identity provider could not be reached' });
  }
  // Front-Channel Logout §3: when iss is sent it must be this IdP's (sid values are per issuer).
  if (iss !== null && iss !== issuer) return answer(res, 400, { error: 'invalid_request', description: 'iss is not this identity provider\'s issuer' });
  // The browser's own sign-in, when it came from this IdP and the page is opened as a page (the
  // cookie is SameSite=Lax, so only same-site; an <img> cannot sign anyone out, as for /logout).
  // Read before the sid revocation may end it.
  const secret = isNavigationOrUnknown(req) ? readCookie(req.headers.cookie, rt.authCookieName) : undefined;
  const own = secret ? await ctx.sessions.resolve(secret, { kind: 'global' }) : null;
  const endsOwn = own !== null && own.idp === idpId;
  let ended = sid ? await ctx.sessions.revokeIdpSession({ idp: idpId, sid }, 'idp front-channel logout') : 0;
  if (endsOwn && own.idpSid !== sid) {
    await ctx.sessions.revokeFamily(own.id, 'idp front-channel logout');
    ended++;
  }
  ctx.logger.info({ requestId: info.id, idp: idpId, ended, by: sid ? 'sid' : 'cookie' }, 'front-channel logout');
  // Framed by the IdP's sign-out page, and by nothing else.
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store',
    'content-security-policy': `default-src 'none'; frame-ancestors ${new URL(issuer).origin}`,
    // Only the cookie of a sign-in this request ended: a stray link must not sign anyone else out.
    ...(endsOwn ? { 'set-cookie': expireCookie(rt.authCookieName, rt.authOrigin.startsWith('https:')) } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : '<!doctype html><meta charset="utf-8"><title>Signed out · Moatless</title><p>Signed out of Moatless.</p>');
}
