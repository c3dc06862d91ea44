// The auth host: starts sign-ins, receives IdP callbacks, keeps the global session, hands app
// sessions to protected hosts, and signs users out. SCIM and the admin API are mounted here too.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Identity, SignInResult } from '../identity/identity.ts';
import { SignInError } from '../identity/provider.ts';
import type { Session } from '../identity/sessions.ts';
import { evaluate } from '../policy/evaluate.ts';
import { formatReason } from '../policy/reasons.ts';
import { accessLogEntry } from './admission.ts';
import type { AccessContext, AuthHostMount } from './context.ts';
import { expireCookie, readCookie, serializeCookie } from './cookies.ts';
import { sendDenyPage } from './deny-page.ts';
import { isNavigationOrUnknown, redirect, type RequestInfo } from './request-info.ts';
import { parseAuthHostReturn, parseReturnUrl, type ReturnTarget } from './return-url.ts';
import { signInCookieName, type AccessRuntime } from './runtime.ts';
import { SignInStore } from './signin-store.ts';
import { SIGNIN_FAILED_PATH, failurePage, failureOf, failureUrl, type SignInFailure } from './signin-failure.ts';
import { isBindingNonce } from './handoff-binding.ts';
import { gatherFacts, requestFacts } from './request-facts.ts';
import { handleIdpLogout, idpLogoutRoute } from './idp-logout.ts';

export const CALLBACK_PATH = '/oauth2/callback';

export class AuthHost {
  readonly #ctx: AccessContext;
  readonly #signins: SignInStore;

  constructor(ctx: AccessContext) {
    this.#ctx = ctx;
    this.#signins = new SignInStore(ctx.store.kv, ctx.now);
  }

  get signins(): SignInStore {
    return this.#signins;
  }

  mountAt(path: string): AuthHostMount | undefined {
    return this.#ctx.mounts.find((m) => path === m.prefix || path.startsWith(m.prefix + '/'));
  }

  /** `Expect: 100-continue`: the mount at `path`, if any, may refuse the body before it is sent. */
  refuseBeforeBody(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    return this.mountAt(path)?.refuseBeforeBody?.(req, res) ?? false;
  }

  /** An upgrade on the auth host goes to the mount at `path`, if it takes upgrades; false if none does. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, path: string): boolean {
    const mount = this.mountAt(path);
    if (!mount?.upgrade) return false;
    mount.upgrade(req, socket, head);
    return true;
  }

  async handle(rt: AccessRuntime, req: IncomingMessage, res: ServerResponse, info: RequestInfo, path: string): Promise<void> {
    const mount = this.mountAt(path);
    if (mount) return mount.handle(req, res, info.id);
    const idpLogout = idpLogoutRoute(path);
    if (idpLogout) return handleIdpLogout(this.#ctx, rt, req, res, info, idpLogout);
    const url = new URL(req.url ?? '/', rt.authOrigin);
    if (req.method !== 'GET' && req.method !== 'HEAD' && !(path === '/logout' && req.method === 'POST')) {
      return this.#fail(rt, res, info, 405, 'Method not allowed', 'This address only answers GET.');
    }
    switch (path) {
      case '/oauth2/start': return this.#start(rt, req, res, info, url);
      case CALLBACK_PATH: return this.#callback(rt, req, res, info, url);
      case '/logout': return this.#logout(rt, req, res, info);
      case SIGNIN_FAILED_PATH: return this.#signInFailed(rt, res, info, url);
      case '/healthz': res.writeHead(200, { 'content-type': 'text/plain' }); res.end('ok'); return;
      case '/': return this.#home(rt, req, res, info);
      default: return this.#fail(rt, res, info, 404, 'Not found', 'There is nothing at this address.');
    }
  }

  async #start(rt: AccessRuntime, req: IncomingMessage, res: ServerResponse, info: RequestInfo, url: URL): Promise<void> {
    const home = parseAuthHostReturn(rt, url.searchParams.get('rd'));
    if (home) return this.#startHome(rt, req, res, info, url, home);
    const target = parseReturnUrl(rt, url.searchParams.get('rd'));
    if (!target) return this.#fail(rt, res, info, 400, 'Bad sign-in link', 'The return address is missing or is not an application protected by Moatless.');
    const acrs = (url.searchParams.get('acrs') ?? '').split(',').filter((a) => /^c([1-9]|[1-9]\d)$/.test(a));
    const nonce = url.searchParams.get('n');
    // No binding nonce (a bookmarked or hand-written link): let the app host start over, setting one.
    if (!isBindingNonce(nonce)) return redirect(res, target.url.href, [], info.id);
    const global = await this.#globalSession(rt, req);
    const wantedIdp = url.searchParams.get('idp');
    if (global && (!wantedIdp || wantedIdp === global.idp) && target.app.idps.includes(global.idp)) {
      const identity = global.identity;
      if (acrs.every((a) => identity.acrs.includes(a))) return this.#handoff(rt, res, info, global, target, nonce, false);
    }
    const idpId = wantedIdp ?? (target.app.idps.length === 1 ? target.app.idps[0] : null);
    if (!idpId) return this.#chooser(rt, res, info, { name: target.app.name, url: target.url, idps: target.app.idps }, acrs, nonce);
    if (!target.app.idps.includes(idpId)) return this.#fail(rt, res, info, 400, 'Unknown sign-in method', `"${idpId}" is not offered for ${target.app.name}.`);
    return this.#beginSignIn(rt, res, info, idpId, target, acrs, nonce);
  }

  /**
   * A sign-in that returns to an auth-host page (the admin dashboard): there is no app, so no
   * hand-off code and no app-host nonce; the callback sets the global cookie and goes back.
   */
  async #startHome(rt: AccessRuntime, req: IncomingMessage, res: ServerResponse, info: RequestInfo, url: URL, home: URL): Promise<void> {
    if (await this.#globalSession(rt, req)) return redirect(res, home.href, [], info.id);
    const all = [...rt.idps.keys()];
    const idpId = url.searchParams.get('idp') ?? (all.length === 1 ? all[0]! : null);
    if (!idpId) return this.#chooser(rt, res, info, { name: 'Moatless admin', url: home, idps: all }, [], '');
    if (!rt.idps.has(idpId)) return this.#fail(rt, res, info, 400, 'Unknown sign-in method', `"${idpId}" is not configured.`);
    return this.#beginSignIn(rt, res, info, idpId, { url: home }, [], '');
  }

  async #beginSignIn(rt: AccessRuntime, res: ServerResponse, info: RequestInfo, idpId: string, target: Pick<ReturnTarget, 'url'>, acrs: string[], browserNonce: string, status: 302 | 303 = 302): Promise<void> {
    const idp = rt.idps.get(idpId);
    if (!idp) return this.#fail(rt, res, info, 500, 'Sign-in unavailable', `Identity provider "${idpId}" is not configured.`);
    const { url, tx } = await idp.begin({ redirectUri: rt.authOrigin + CALLBACK_PATH, acrs });
    await this.#signins.putSignIn({ tx, returnUrl: target.url.href, browserNonce });
    // Binds the callback to this browser: a callback URL planted in someone else's browser fails.
    const bind = serializeCookie(signInCookieName(tx.state), tx.state, { secure: rt.authOrigin.startsWith('https:'), sameSite: 'lax', maxAgeSeconds: 600 });
    redirect(res, url, [bind], info.id, status);
  }

  /** Every way out of the callback is a 303, so the authorization code leaves the address bar. */
  async #callback(rt: AccessRuntime, req: IncomingMessage, res: ServerResponse, info: RequestInfo, url: URL): Promise<void> {
    const failed = (reason: SignInFailure, cookies: string[] = []) =>
      redirect(res, failureUrl(rt.authOrigin, reason, info.id), cookies, info.id, 303);
    const state = url.searchParams.get('state') ?? '';
    const bound = state === '' ? '' : readCookie(req.headers.cookie, signInCookieName(state)) ?? '';
    // A state this browser did not start leaves its cookie alone: it may bind a sign-in in progress.
    const matches = state !== '' && bound.length === state.length && timingSafeEqual(Buffer.from(bound), Buffer.from(state));
    if (!matches) return failed('expired');
    const pending = await this.#signins.takeSignIn(state);
    const unbind = [expireCookie(signInCookieName(state), rt.authOrigin.startsWith('https:'))];
    if (!pending) return failed('expired', unbind);
    const target = parseReturnUrl(rt, pending.returnUrl);
    const home = target ? null : parseAuthHostReturn(rt, pending.returnUrl);
    const idp = rt.idps.get(pending.tx.idp);
    if (!(target ?? home) || !idp) return failed('expired', unbind);
    let identity: Identity;
    let idpSession: SignInResult['idpSession'];
    try {
      ({ identity, idpSession } = await idp.complete(url, pending.tx, rt.authOrigin + CALLBACK_PATH));
    } catch (err) {
      const e = err instanceof SignInError ? err : new SignInError('signin_failed', 'the sign-in could not be completed', { cause: err });
      this.#ctx.logger.warn({ requestId: info.id, idp: pending.tx.idp, code: e.code, err: e.cause ?? e.message }, 'sign-in failed');
      return failed(failureOf(e), unbind);
    }
    const { secret, record } = await this.#ctx.sessions.createGlobal({
      identity, durationMs: rt.config.sessions.globalDuration, ip: info.clientIp, userAgent: req.headers['user-agent'] ?? null, ...(idpSession ? { idpSession } : {}),
    });
    const cookie = serializeCookie(rt.authCookieName, secret, { secure: rt.authOrigin.startsWith('https:'), sameSite: 'lax', maxAgeSeconds: rt.config.sessions.globalDuration / 1000 });
    if (!target) return redirect(res, home!.href, [cookie, ...unbind], info.id, 303);
    const stepUp = pending.tx.acrs.length > 0;
    return this.#handoff(rt, res, info, record, target, pending.browserNonce, stepUp, [cookie, ...unbind], true);
  }

  #signInFailed(rt: AccessRuntime, res: ServerResponse, info: RequestInfo, url: URL): void {
    const page = failurePage(url);
    // The request id is the callback's, under which the details were logged.
    this.#fail(rt, res, { ...info, id: page.requestId ?? info.id }, page.status, page.title, page.message);
  }

  /**
   * Checks the app's policy before handing over, so a user who may not enter gets a clear page here
   * instead of a redirect loop, and a missing auth context leads to one step-up sign-in.
   */
  async #handoff(
    rt: AccessRuntime, res: ServerResponse, info: RequestInfo, global: Session, target: ReturnTarget, browserNonce: string,
    afterStepUp: boolean, cookies: string[] = [], fromCallback = false,
  ): Promise<void> {
    const identity = global.identity;
    const app = target.app;
    // The same facts the app host will build for the request the user returns with.
    const request = requestFacts(info, target.url.host, target.url.pathname, 'GET');
    const now = this.#ctx.now();
    const facts = await gatherFacts(this.#ctx.directoryFacts, { now, request, identity, serviceToken: null });
    const decision = evaluate(app.policies, facts);
    if (decision.action === 'deny' && decision.stepUp && !afterStepUp) {
      const missing = decision.stepUp.authContexts.filter((a) => !identity.acrs.includes(a));
      if (missing.length > 0 && app.idps.includes(global.idp)) {
        return this.#beginSignIn(rt, res, info, global.idp, target, [...new Set([...identity.acrs.filter((a) => a.startsWith('c')), ...missing])], browserNonce, fromCallback ? 303 : 302);
      }
    }
    if (decision.action !== 'allow') {
      const why = decision.stepUp ? `${app.name} requires Conditional Access (${decision.stepUp.authContexts.join(', ')}) that this sign-in did not satisfy.` : `You are signed in as ${identity.email}, but your access policy does not allow ${app.name}.`;
      const { host, pathname } = target.url;
      const entry = accessLogEntry(info, app.id, host, pathname, 'GET', decision, { identity }, 403, this.#ctx.now());
      this.#ctx.accessLog.record(entry);
      const reason = decision.stepUp ? 'auth_context' : 'access_denied';
      if (fromCallback) return redirect(res, failureUrl(rt.authOrigin, reason, info.id), cookies, info.id, 303);
      return this.#fail(rt, res, info, 403, 'Access denied', why, decision.reasons.map(formatReason), cookies);
    }
    const code = await this.#signins.putHandoff({
      globalSessionId: global.id, appId: app.id, returnUrl: target.url.href,
      durationMs: decision.sessionDurationMs ?? app.sessionDurationMs, browserNonce,
    });
    const back = new URL(`${target.route.base}/.moatless/callback`, target.url.origin);
    back.searchParams.set('code', code);
    redirect(res, back.href, cookies, info.id, fromCallback ? 303 : 302);
  }

  async #logout(rt: AccessRuntime, req: IncomingMessage, res: ServerResponse, info: RequestInfo): Promise<void> {
    if (!isNavigationOrUnknown(req)) return this.#fail(rt, res, info, 403, 'Not signed out', 'Sign-out must be opened as a page.');
    const global = await this.#globalSession(rt, req);
    if (global) await this.#ctx.sessions.revokeFamily(global.id, 'logout');
    res.setHeader('set-cookie', expireCookie(rt.authCookieName, rt.authOrigin.startsWith('https:')));
    sendDenyPage(res, { status: 200, title: 'Signed out', message: 'You are signed out of every application protected by Moatless.', requestId: info.id }, info.wantsJson);
  }

  async #home(rt: AccessRuntime, req: IncomingMessage, res: ServerResponse, info: RequestInfo): Promise<void> {
    const global = await this.#globalSession(rt, req);
    const who = global ? `Signed in as ${global.identity.email}.` : 'Not signed in.';
    sendDenyPage(res, { status: 200, title: 'Moatless', message: `${who} Open an application to continue.`, requestId: info.id, ...(global ? { signOutUrl: '/logout' } : {}) }, info.wantsJson);
  }

  /** `nonce` is '' for a sign-in back to the auth host itself (no app-host binding). */
  #chooser(rt: AccessRuntime, res: ServerResponse, info: RequestInfo, target: { name: string; url: URL; idps: readonly string[] }, acrs: string[], nonce: string): void {
    const links = target.idps.map((id) => {
      const u = new URL('/oauth2/start', rt.authOrigin);
      u.searchParams.set('rd', target.url.href);
      u.searchParams.set('idp', id);
      if (nonce) u.searchParams.set('n', nonce);
      if (acrs.length > 0) u.searchParams.set('acrs', acrs.join(','));
      return `<li><a href="${u.pathname}${u.search.replace(/&/g, '&amp;')}">${escapeHtml(rt.idps.get(id)?.displayName ?? id)}</a></li>`;
    });
    const body = `<!doctype html><meta charset="utf-8"><title>Sign in · Moatless</title><body style="font:16px system-ui;margin:3rem"><h1>Sign in to ${escapeHtml(target.name)}</h1><ul>${links.join('')}</ul>`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" });
    res.end(body);
  }

  async #globalSession(rt: AccessRuntime, req: IncomingMessage): Promise<Session | null> {
    const secret = readCookie(req.headers.cookie, rt.authCookieName);
    return secret ? this.#ctx.sessions.resolve(secret, { kind: 'global' }) : null;
  }

  #fail(rt: AccessRuntime, res: ServerResponse, info: RequestInfo, status: number, title: string, message: string, reasons: string[] = [], cookies: string[] = []): void {
    if (cookies.length > 0) res.setHeader('set-cookie', cookies);
    sendDenyPage(res, {
      status, title, message, requestId: info.id,
      signOutUrl: `${rt.authOrigin}/logout`, support: rt.config.server.support,
      ...(rt.config.server.debugDenyReasons && reasons.length > 0 ? { reasons } : {}),
    }, info.wantsJson);
  }
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
