// Forward-auth: Moatless as the access check of a proxy users already run (nginx `auth_request`,
// Traefik `forwardAuth`, Caddy `forward_auth`), for apps with `mode: forwardAuth`. The decision is the
// built-in proxy's own — same session cookie, admission (AppRequests.admit), facts, assertion cache,
// identity headers and refusals (refusal.ts) — only its answer goes back to the calling proxy:
//   GET /.moatless/verify                2xx + identity headers | 401 (nginx) | 403
//   GET /.moatless/verify?mode=redirect  2xx + identity headers | 302 to sign in (Traefik, Caddy) | 403
// and on the app host (routed to Moatless by the calling proxy) `/.moatless/signin`, where nginx's
// `error_page 401 403` lands, plus the usual `/.moatless/*` endpoints (the sign-in hand-off).
// Must not: trust X-Forwarded-*/X-Original-URL from anyone but `server.forwardAuth.trustedCallers`,
// or proxy anything — a forwardAuth app has no upstream.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { accessLogEntry, forwards } from './admission.ts';
import type { AppRequests } from './app-request.ts';
import { TrustedProxies } from './client-ip.ts';
import type { AccessContext } from './context.ts';
import { sendDenyPage } from './deny-page.ts';
import { forwardedRequest } from './forwarded-request.ts';
import { handleMoatlessEndpoint } from './moatless-endpoints.ts';
import { needsSignIn, sendRefusal } from './refusal.ts';
import { redirect, type RequestInfo } from './request-info.ts';
import { checkPath } from './request-guard.ts';
import type { AccessRuntime, AppRoute } from './runtime.ts';

export const VERIFY_PATH = '/.moatless/verify';
const SIGNIN_PATH = '/.moatless/signin';

export class ForwardAuth {
  readonly #ctx: AccessContext;
  readonly #apps: AppRequests;
  /** Per compiled runtime, so a reload that changes the callers takes effect with the config. */
  readonly #callers = new WeakMap<AccessRuntime, TrustedProxies>();

  constructor(ctx: AccessContext, apps: AppRequests) {
    this.#ctx = ctx;
    this.#apps = apps;
  }

  #trustedCaller(rt: AccessRuntime, peer: string): boolean {
    let t = this.#callers.get(rt);
    if (!t) this.#callers.set(rt, (t = new TrustedProxies(rt.config.server.forwardAuth.trustedCallers)));
    return t.isTrusted(peer);
  }

  /** The verify endpoint, answered on any host: the app is the one the forwarded URL names. */
  async verify(rt: AccessRuntime, req: IncomingMessage, res: ServerResponse, outer: RequestInfo, query: string): Promise<void> {
    const support = rt.config.server.support;
    if (!this.#trustedCaller(rt, outer.peer)) {
      this.#ctx.logger.warn({ requestId: outer.id, peer: outer.peer }, 'forward-auth verify from a caller not in server.forwardAuth.trustedCallers; refused');
      return sendDenyPage(res, { status: 403, title: 'Not a trusted forward-auth caller', message: 'Only a proxy listed in server.forwardAuth.trustedCallers may ask Moatless to verify a request.', requestId: outer.id, support }, outer.wantsJson);
    }
    const t = forwardedRequest(req, outer.proto);
    if (typeof t === 'string') return sendDenyPage(res, { status: 400, title: 'Bad forward-auth request', message: t, requestId: outer.id }, outer.wantsJson);
    const info: RequestInfo = { ...outer, proto: t.proto };
    const route = rt.routes.lookup(t.hostname, t.path);
    if (!route || route.app.config.mode !== 'forwardAuth') {
      return sendDenyPage(res, { status: 404, title: 'Unknown application', message: `No forward-auth application is configured at ${t.hostname}.`, requestId: info.id, support }, info.wantsJson);
    }
    const app = route.app;
    const a = await this.#apps.admit(rt, route, req, info, t.path, { host: t.host, method: t.method });
    let status: number;
    if (forwards(a.decision.action)) {
      const headers: [string, string][] = [...this.#apps.identityHeaders(rt, app, info, a), ['cache-control', 'no-store'], ['content-length', '0']];
      res.writeHead(200, headers.flat());
      res.end();
      status = 200;
    } else if (needsSignIn(a) && new URLSearchParams(query).get('mode') !== 'redirect') {
      // nginx cannot pass a redirect on from auth_request: its `error_page 401` goes to /.moatless/signin.
      sendDenyPage(res, { status: 401, title: 'Authentication required', message: `Sign in to ${app.name}.`, requestId: info.id }, true);
      status = 401;
    } else {
      status = sendRefusal(rt, route, res, info, a, t.url);
    }
    this.#ctx.accessLog.record(accessLogEntry(info, app.id, t.host, t.path, t.method, a.decision, a, status, this.#ctx.now()));
  }

  /** Requests the calling proxy routes to Moatless on a forwardAuth app's host: only `/.moatless/*`. */
  async appHost(rt: AccessRuntime, route: AppRoute, req: IncomingMessage, res: ServerResponse, info: RequestInfo, path: string, query: string): Promise<void> {
    const rel = path.slice(route.base.length);
    if (rel === SIGNIN_PATH) return this.#signIn(rt, route, req, res, info, query);
    if (rel.startsWith('/.moatless/')) return handleMoatlessEndpoint(this.#ctx, rt, route, req, res, info, rel, query);
    sendDenyPage(res, { status: 421, title: 'Not served by Moatless', message: `${route.app.name} is served by its own proxy, which asks Moatless at ${VERIFY_PATH}; Moatless answers only /.moatless/ paths here.`, requestId: info.id, support: rt.config.server.support }, info.wantsJson);
  }

  /**
   * Where nginx's `error_page 401 403` sends the browser: decides again for the original URL and
   * gives the proxy's own answer — the sign-in redirect (setting the binding cookie on this host), a
   * step-up, or the deny page; back to the page if the user is let in by now.
   */
  async #signIn(rt: AccessRuntime, route: AppRoute, req: IncomingMessage, res: ServerResponse, info: RequestInfo, query: string): Promise<void> {
    const host = req.headers.host ?? '';
    const wanted = this.#returnPath(rt, route, req, info, query);
    const q = wanted.indexOf('?');
    const path = q === -1 ? wanted : wanted.slice(0, q);
    const a = await this.#apps.admit(rt, route, req, info, path, { host, method: 'GET' });
    if (forwards(a.decision.action)) return redirect(res, wanted, [], info.id);
    sendRefusal(rt, route, res, info, a, `${info.proto}://${host}${wanted}`);
  }

  /**
   * The path (and query) to return to, on this host and inside this app: the original URL from a
   * trusted caller (nginx keeps `$request_uri` across `error_page`), else `?rd=/path`, else the
   * app's root. Never another host, so this is no open redirect.
   */
  #returnPath(rt: AccessRuntime, route: AppRoute, req: IncomingMessage, info: RequestInfo, query: string): string {
    const root = `${route.base}/`;
    let wanted: string | null = new URLSearchParams(query).get('rd');
    if (this.#trustedCaller(rt, info.peer)) {
      const t = forwardedRequest(req, info.proto);
      if (typeof t !== 'string' && t.host === (req.headers.host ?? '').toLowerCase()) wanted = t.path + t.query;
    }
    if (!wanted || !wanted.startsWith('/') || wanted.startsWith('//') || /[\s#]/.test(wanted)) return root;
    const q = wanted.indexOf('?');
    const path = q === -1 ? wanted : wanted.slice(0, q);
    if (checkPath(path) !== null || path.startsWith(`${route.base}/.moatless/`)) return root;
    const hostname = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
    return rt.routes.lookup(hostname, path) === route ? wanted : root;
  }
}
