// The compiled, immutable state the request path reads: built whole from a config, swapped
// atomically on reload, never patched in place.
import { createHash } from 'node:crypto';
import type { ResolvedConfig } from '../config/load.ts';
import type { AppConfig } from '../config/schema/apps.ts';
import type { IdentityProviderAdapter } from '../identity/provider.ts';
import type { CompiledPolicySet } from '../policy/types.ts';
import { TrustedProxies } from './client-ip.ts';
import { tunnelOrigin } from './dialer.ts';
import { RouteTable } from './route-table.ts';
import { CLIENT_ID_HEADER, CLIENT_SECRET_HEADER, ServiceTokens } from './service-tokens.ts';
import { normaliseHeaderName } from './upstream-headers.ts';

export interface CompiledApp {
  readonly id: string;
  readonly name: string;
  readonly config: AppConfig;
  readonly audience: string;
  readonly upstreamOrigin: string;
  readonly upstreamHost: string;
  readonly upstreamBasePath: string;
  readonly policies: CompiledPolicySet;
  readonly sessionDurationMs: number;
  readonly idps: readonly string[];
  /** Normalised identity-family header names the origin may receive from the client. */
  readonly passClientHeaders: ReadonlySet<string>;
}

/**
 * One host entry of an app. An app mounted under a path prefix keeps its endpoints and cookie under
 * that prefix (`/wiki/.moatless/…`, cookie `moatless_session_wiki; Path=/wiki`), so two apps sharing
 * a host never read each other's session.
 */
export interface AppRoute {
  readonly app: CompiledApp;
  /** '' for an app at the root of its host, else the prefix without a trailing slash. */
  readonly base: string;
  readonly cookieName: string;
  readonly cookiePath: string;
}

export interface AccessRuntime {
  readonly config: ResolvedConfig;
  readonly routes: RouteTable<AppRoute>;
  readonly apps: ReadonlyMap<string, CompiledApp>;
  readonly authHost: string;
  readonly authOrigin: string;
  readonly trusted: TrustedProxies;
  readonly serviceTokens: ServiceTokens;
  readonly idps: ReadonlyMap<string, IdentityProviderAdapter>;
  /** Request headers no client may send to an origin (normalised): every app's assertion and identity headers. */
  readonly protectedHeaders: ReadonlySet<string>;
  /** Cookies the origin must never see: every app session cookie and Moatless's own. */
  readonly isOurCookie: (name: string) => boolean;
  readonly cookieName: string;
  readonly authCookieName: string;
}

export const AUTH_COOKIE = 'moatless_auth';
/**
 * The auth host's cookie binding one IdP sign-in to this browser, named after its `state`: each
 * sign-in in flight has its own, so two tabs signing in at once both finish (with one shared name
 * the later one's state replaced the earlier's, which then failed as expired).
 */
export function signInCookieName(state: string): string {
  return 'moatless_signin_' + createHash('sha256').update(state).digest('base64url').slice(0, 12);
}

/** A stable, non-guessable-looking audience tag per app (Cloudflare's AUD tag). */
export function audienceFor(appId: string): string {
  return createHash('sha256').update(`moatless-app:${appId}`).digest('hex');
}

export function buildRuntime(config: ResolvedConfig, idps: ReadonlyMap<string, IdentityProviderAdapter>): AccessRuntime {
  const routes = new RouteTable<AppRoute>();
  const apps = new Map<string, CompiledApp>();
  const protectedHeaders = new Set<string>([CLIENT_ID_HEADER, CLIENT_SECRET_HEADER, 'moatless-jwt-assertion', 'moatless-request-id']);
  for (const app of config.apps) {
    protectedHeaders.add(app.assertion.header);
    for (const name of Object.values(app.identityHeaders)) if (name) protectedHeaders.add(name);
  }
  const normalised = new Set([...protectedHeaders].map(normaliseHeaderName));
  config.apps.forEach((app, i) => {
    // A forwardAuth app has no upstream: its own proxy forwards (forward-auth.ts). `tunnel:<name>`
    // dials through the tunnel's connectors (src/tunnel).
    const upstream = app.upstream === undefined ? null
      : new URL(app.upstream.startsWith('tunnel:') ? tunnelOrigin(app.upstream.slice(7)) : app.upstream);
    const c: CompiledApp = {
      id: app.id, name: app.name ?? app.id, config: app,
      audience: app.audience ?? audienceFor(app.id),
      upstreamOrigin: upstream?.origin ?? '', upstreamHost: upstream?.host ?? '',
      upstreamBasePath: !upstream || upstream.pathname === '/' ? '' : upstream.pathname.replace(/\/$/, ''),
      policies: config.policySets[i]!,
      sessionDurationMs: app.sessionDuration ?? config.sessions.appDuration,
      idps: app.identityProviders.length > 0 ? app.identityProviders : config.identityProviders.map((p) => p.id),
      // A protected name stays protected even if listed (the schema refuses the app's own already).
      passClientHeaders: new Set(app.passClientHeaders.map(normaliseHeaderName).filter((n) => !normalised.has(n))),
    };
    apps.set(app.id, c);
    for (const h of app.hosts) {
      const base = h.pathPrefix === '/' ? '' : h.pathPrefix;
      routes.add(h, { app: c, base, cookieName: base ? `${config.sessions.cookieName}_${app.id}` : config.sessions.cookieName, cookiePath: base || '/' });
    }
  });
  const authUrl = new URL(config.server.authUrl);
  return {
    config, routes, apps, idps, protectedHeaders: normalised,
    isOurCookie: ourCookieTest(config.sessions.cookieName),
    authHost: authUrl.hostname.toLowerCase(),
    authOrigin: authUrl.origin,
    // A forward-auth caller is a proxy in front of us: its X-Forwarded-For/-Proto are believed too.
    trusted: new TrustedProxies([...config.server.trustedProxies, ...config.server.forwardAuth.trustedCallers]),
    serviceTokens: new ServiceTokens(config.serviceTokens.map((t) => ({ name: t.name, clientId: t.clientId, secret: config.secrets.serviceTokenSecrets.get(t.name) ?? '', expiresAt: t.expiresAt }))),
    cookieName: config.sessions.cookieName,
    authCookieName: AUTH_COOKIE,
  };
}

/**
 * The app-session cookie's name for this route and scheme. Over HTTPS an app at the root of its host
 * uses the `__Host-` prefix: browsers then refuse a same-named cookie set by a sibling subdomain
 * with `Domain=` (cookie tossing), which would otherwise make our cookie ambiguous.
 */
export function sessionCookieName(route: AppRoute, secure: boolean): string {
  return secure && route.base === '' ? `__Host-${route.cookieName}` : route.cookieName;
}

/**
 * Every cookie whose name, ignoring case and a `__Host-`/`__Secure-` prefix, starts with the session
 * cookie's name or `moatless_`: origins and frameworks differ on case and prefixes, so any spelling
 * of ours is kept from them. Compiled once per runtime, not per request.
 */
function ourCookieTest(cookieName: string): (name: string) => boolean {
  // The schema allows only [A-Za-z0-9_-] in cookieName: nothing to escape.
  const re = new RegExp(`^(?:__host-|__secure-)?(?:${cookieName}|moatless_)`, 'i');
  return (name) => re.test(name);
}
