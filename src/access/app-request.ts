// The request path for a protected host, in DESIGN.md's order: endpoints → service token → session
// → facts → decision → upstream with a signed assertion. Any error while loading a session or
// deciding denies (the caller's catch sends the deny page).
import type { Identity } from '../identity/identity.ts';
import { evaluate } from '../policy/evaluate.ts';
import { AssertionCache } from './assertion-cache.ts';
import { accessLogEntry, forwards, type Admission } from './admission.ts';
import type { AccessContext } from './context.ts';
import type { AccessReply, AccessRequest } from './http-types.ts';
import { readCookie } from './cookies.ts';
import { sendDenyPage } from './deny-page.ts';
import { handleMoatlessEndpoint } from './moatless-endpoints.ts';
import type { RequestInfo } from './request-info.ts';
import { sessionCookieName, type AccessRuntime, type AppRoute, type CompiledApp } from './runtime.ts';
import { CLIENT_ID_HEADER, CLIENT_SECRET_HEADER } from './service-tokens.ts';
import { buildUpstreamHeaders, safeHeaderValue } from './upstream-headers.ts';
import { sendRefusal } from './refusal.ts';
import { gatherFacts, requestFacts } from './request-facts.ts';
import { applyGatewayRules } from '../gateway/access-hook.ts';

export class AppRequests {
  readonly #ctx: AccessContext;
  readonly assertions: AssertionCache;

  constructor(ctx: AccessContext) {
    this.#ctx = ctx;
    this.assertions = new AssertionCache(ctx);
  }

  /**
   * Decides whether this request may reach the app. Shared by HTTP, WebSocket upgrades and
   * forward-auth, whose `target` is the host and method asked for when they are not this request's.
   */
  async admit(rt: AccessRuntime, route: AppRoute, req: AccessRequest, info: RequestInfo, path: string, target?: { host: string; method: string }): Promise<Admission> {
    const app = route.app;
    const now = this.#ctx.now();
    const serviceToken = rt.serviceTokens.verify(header(req, CLIENT_ID_HEADER), header(req, CLIENT_SECRET_HEADER), now);
    const secret = readCookie(req.headers.cookie, sessionCookieName(route, info.proto === 'https'));
    // Cache hits come back without a promise: awaited only when the store or directory is read.
    const soon = secret ? this.#ctx.sessions.resolveSoon(secret, { kind: 'app', appId: app.id }) : null;
    const session = soon instanceof Promise ? await soon : soon;
    const identity = session?.identity;
    const request = requestFacts(info, target?.host ?? req.headers.host ?? '', path, target?.method ?? req.method ?? 'GET');
    const gathered = gatherFacts(this.#ctx.directoryFacts, { now, request, identity, serviceToken });
    const facts = gathered instanceof Promise ? await gathered : gathered;
    return { decision: evaluate(app.policies, facts), session, identity, serviceToken, directory: facts.directory };
  }

  async handle(rt: AccessRuntime, route: AppRoute, req: AccessRequest, res: AccessReply, info: RequestInfo, path: string, query: string): Promise<void> {
    const app = route.app;
    if (path.startsWith(`${route.base}/.moatless/`)) return handleMoatlessEndpoint(this.#ctx, rt, route, req, res, info, path.slice(route.base.length), query);
    const a = await this.admit(rt, route, req, info, path);
    const d = a.decision;
    const host = req.headers.host ?? '';
    const method = req.method ?? 'GET';
    const log = (status: number) =>
      this.#ctx.accessLog.record(accessLogEntry(info, app.id, host, path, method, d, a, status, this.#ctx.now()));
    if (forwards(d.action)) {
      // Gateway HTTP rules (isolate, block) on Access apps too: src/gateway/access-hook.ts. Not
      // called at all without gateway policies: an async call costs a promise and its ticks.
      if (rt.config.gatewayPolicies && await applyGatewayRules(this.#ctx, rt, req, res, info, a, log)) return;
      return log(await this.#forward(rt, app, req, res, info, a));
    }
    log(sendRefusal(rt, route, res, info, a, `${info.proto}://${host}${req.url}`));
  }

  /** What the origin receives, for HTTP and WebSocket alike: cleaned client headers plus the verified identity. */
  upstreamHeaders(rt: AccessRuntime, app: CompiledApp, req: AccessRequest, info: RequestInfo, a: Admission): string[] {
    return buildUpstreamHeaders({
      req, protectedHeaders: rt.protectedHeaders, passClientHeaders: app.passClientHeaders, isOurCookie: rt.isOurCookie,
      hostHeader: app.config.upstreamHostHeader ? app.upstreamHost : (req.headers.host ?? app.upstreamHost),
      clientIp: info.clientIp, peer: info.peer, proto: info.proto, requestId: info.id, add: this.#vouchedFor(rt, app, a), priorForwardedFor: info.priorForwardedFor,
    });
  }

  /** The request id, assertion and identity headers Moatless vouches for, as pairs: for a forward-auth caller. */
  identityHeaders(rt: AccessRuntime, app: CompiledApp, info: RequestInfo, a: Admission): [string, string][] {
    const flat = this.#vouchedFor(rt, app, a);
    const add: [string, string][] = [['moatless-request-id', info.id]];
    for (let i = 0; i < flat.length; i += 2) add.push([flat[i]!, flat[i + 1]!]);
    return add;
  }

  /** The assertion and identity headers, flat ([name, value, …]); a session's are built once per assertion. */
  #vouchedFor(rt: AccessRuntime, app: CompiledApp, a: Admission): readonly string[] {
    const id = a.identity;
    const action = a.decision.action;
    // Bypass turns enforcement off, so nothing vouches for the caller: no assertion, no identity.
    // On `service_auth` a token that came with the request is what was checked, so the token is
    // vouched for, not a user whose session cookie rode along.
    const token = action === 'service_auth' ? a.serviceToken : null;
    if (action !== 'bypass' && token === null && id && a.session) {
      return this.assertions.sessionHeaders(rt, app, a.session, id, sessionIdentityHeaders);
    }
    if (token !== null) return [app.config.assertion.header, this.assertions.forServiceToken(rt, app, token)];
    return NONE;
  }

  async #forward(rt: AccessRuntime, app: CompiledApp, req: AccessRequest, res: AccessReply, info: RequestInfo, a: Admission): Promise<number> {
    const id = a.identity;
    const headers = this.upstreamHeaders(rt, app, req, info, a);
    const untrack = a.session && id
      ? this.#ctx.connections.track({ socket: req.socket, sessionId: a.session.id, parentId: a.session.parentId, userKey: id.userKey, email: id.email, appId: app.id })
      : null;
    try {
      const outcome = await this.#ctx.upstreams.forward(req, res, app.upstreamOrigin, app.upstreamBasePath + (req.url ?? '/'), headers, (status) => {
        const title = status === 504 ? 'The application did not answer in time' : 'The application is unreachable';
        // A tunnel is named, so the administrator looks at its connectors (`moatless tunnel status`).
        const tunnel = app.config.upstream?.startsWith('tunnel:') ? ` through tunnel "${app.config.upstream.slice(7)}"` : '';
        const message = `${app.name} could not be reached${tunnel}. Try again in a moment; if it persists, tell your administrator.`;
        sendDenyPage(res, { status, title, message, requestId: info.id, support: rt.config.server.support }, info.wantsJson);
      }, info.id);
      return outcome.status;
    } finally {
      untrack?.();
    }
  }
}

const NONE: readonly string[] = [];

/** A signed-in user's assertion and configured identity headers (values cleaned of controls), flat. */
function sessionIdentityHeaders(app: CompiledApp, id: Identity, jwt: string): string[] {
  const out = [app.config.assertion.header, jwt];
  const h = app.config.identityHeaders;
  if (h.email) out.push(h.email, safeHeaderValue(id.email));
  if (h.user) out.push(h.user, safeHeaderValue(id.email));
  if (h.name && id.name) out.push(h.name, safeHeaderValue(id.name));
  if (h.groups) out.push(h.groups, safeHeaderValue(id.groupNames.join(',')));
  return out;
}

function header(req: AccessRequest, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}
