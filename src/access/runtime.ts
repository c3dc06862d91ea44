// The compiled, immutable state the request path reads: built whole from a config, swapped
// atomically on reload, never patched in place.
import { createHash } from 'node:crypto';
import type { ResolvedConfig } from '../config/load.ts';
import type { AppConfig } from '../config/schema/apps.ts';
import type { IdentityProviderAdapter } from '../identity/provider.ts';
import type { CompiledPolicySet } from '../policy/types.ts';
import { TrustedProxies } from './client-ip.ts';
import { RouteTable } from './route-table.ts';
import { CLIENT_ID_HEADER, CLIENT_SECRET_HEADER, ServiceTokens } from './service-tokens.ts';

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
  /** Request headers no client may send to an origin: assertion and identity headers of every app. */
  readonly protectedHeaders: ReadonlySet<string>;
  readonly cookieName: string;
  readonly authCookieName: string;
}

export const AUTH_COOKIE = 'moatless_auth';
export const SIGNIN_COOKIE = 'moatless_signin';

/** A stable, non-guessable-looking audience tag per app (Cloudflare's AUD tag). */
export function audienceFor(appId: string): string {
  return createHash('sha256').update(`moatless-app:${appId}`).digest('hex');
}

export function buildRuntime(config: ResolvedConfig, idps: ReadonlyMap<string, IdentityProviderAdapter>): AccessRuntime {
  const routes = new RouteTable<AppRoute>();
  const apps = new Map<string, CompiledApp>();
  const protectedHeaders = new Set<string>([CLIENT_ID_HEADER, CLIENT_SECRET_HEADER, 'moatless-jwt-assertion', 'moatless-request-id']);
  config.apps.forEach((app, i) => {
    const upstream = new URL(app.upstream);
    const c: CompiledApp = {
      id: app.id, name: app.name ?? app.id, config: app,
      audience: app.audience ?? audienceFor(app.id),
      upstreamOrigin: upstream.origin, upstreamHost: upstream.host,
      upstreamBasePath: upstream.pathname === '/' ? '' : upstream.pathname.replace(/\/$/, ''),
      policies: config.policySets[i]!,
      sessionDurationMs: app.sessionDuration ?? config.sessions.appDuration,
      idps: app.identityProviders.length > 0 ? app.identityProviders : config.identityProviders.map((p) => p.id),
    };
    apps.set(app.id, c);
    for (const h of app.hosts) {
      const base = h.pathPrefix === '/' ? '' : h.pathPrefix;
      routes.add(h, { app: c, base, cookieName: base ? `${config.sessions.cookieName}_${app.id}` : config.sessions.cookieName, cookiePath: base || '/' });
    }
    protectedHeaders.add(app.assertion.header);
    for (const name of Object.values(app.identityHeaders)) if (name) protectedHeaders.add(name);
  });
  const authUrl = new URL(config.server.authUrl);
  return {
    config, routes, apps, idps, protectedHeaders,
    authHost: authUrl.hostname.toLowerCase(),
    authOrigin: authUrl.origin,
    trusted: new TrustedProxies(config.server.trustedProxies),
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

/** Cookies the origin must never see: every app session cookie and Moatless's own. */
export function isMoatlessCookie(rt: AccessRuntime, name: string): boolean {
  const bare = name.startsWith('__Host-') ? name.slice(7) : name;
  return bare === rt.cookieName || bare.startsWith(`${rt.cookieName}_`) || bare.startsWith('moatless_');
}
