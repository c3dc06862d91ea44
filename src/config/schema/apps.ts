// Protected applications: where they live, who may reach them, what the origin is told.
import { z } from 'zod';
import { durationMs, httpUrl, isHostname, secretRef } from './common.ts';
import { policySchema } from '../../policy/language.ts';

/** `wiki.example.com`, `*.apps.example.com`, optionally with a path prefix: `example.com/wiki`. */
export const appHostSchema = z.string().transform((text, ctx) => {
  const slash = text.indexOf('/');
  const host = (slash === -1 ? text : text.slice(0, slash)).toLowerCase();
  const pathPrefix = slash === -1 ? '/' : text.slice(slash);
  const bare = host.startsWith('*.') ? host.slice(2) : host;
  if (!isHostname(bare) || bare.includes('*')) {
    ctx.addIssue({ code: 'custom', message: `not a hostname: "${text}" (a single leading "*." wildcard is allowed)` });
    return z.NEVER;
  }
  if (pathPrefix !== '/' && (!/^\/[A-Za-z0-9._~!$&'()*+,;=:@/-]*$/.test(pathPrefix) || pathPrefix.includes('//') || /(^|\/)\.\.?(\/|$)/.test(pathPrefix))) {
    ctx.addIssue({ code: 'custom', message: `bad path prefix "${pathPrefix}"` });
    return z.NEVER;
  }
  return { host, wildcard: host.startsWith('*.'), pathPrefix: pathPrefix.length > 1 ? pathPrefix.replace(/\/$/, '') : '/' };
});
export type AppHost = z.infer<typeof appHostSchema>;

const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'an HTTP header name').transform((s) => s.toLowerCase());
/** How CGI/WSGI-style origins compare header names: case-insensitive, `_` and `-` the same. */
const sameHeader = (a: string, b: string) => a.replaceAll('_', '-') === b.replaceAll('_', '-');

/** An http(s) origin, or `tunnel:<name>`: reached through that tunnel's connectors (docs/tunnel.md). */
const upstreamSchema = z.union([httpUrl, z.string().regex(/^tunnel:[a-z0-9][a-z0-9_-]{0,62}$/)], {
  error: 'expected an http:// or https:// URL, or tunnel:<name> (lower-case letters, digits, - and _)',
});

export const appSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, - and _'),
  name: z.string().min(1).optional(),
  hosts: z.array(appHostSchema).min(1),
  /**
   * `proxy`: Moatless proxies to `upstream`. `forwardAuth`: another proxy (nginx, Traefik, Caddy)
   * asks Moatless's verify endpoint and forwards itself (src/access/forward-auth.ts); no upstream.
   */
  mode: z.enum(['proxy', 'forwardAuth']).default('proxy'),
  /** The origin Moatless forwards to; required in `proxy` mode, refused in `forwardAuth` mode. */
  upstream: upstreamSchema.optional(),
  /** Identity providers offered on sign-in (one: straight to it; several: a chooser page). Empty = all. */
  identityProviders: z.array(z.string()).default([]),
  sessionDuration: durationMs.optional(),
  /** The `aud` of the origin assertion; stable per app. Defaults to a tag derived from the app id. */
  audience: z.string().min(8).optional(),
  assertion: z.strictObject({
    header: headerName.default('moatless-jwt-assertion'),
    includeGroups: z.boolean().default(true),
    /** Extra OIDC claims copied into the assertion's `custom` object. */
    claims: z.array(z.string()).default([]),
  }).prefault({}),
  /** Plain identity headers for legacy apps that trust a header (set only from the verified identity). */
  identityHeaders: z.strictObject({
    email: headerName.optional(),
    name: headerName.optional(),
    user: headerName.optional(),
    groups: headerName.optional(),
  }).default({}),
  /** Rewrite the Host header to the upstream's host (default: pass the client's Host through). */
  upstreamHostHeader: z.boolean().default(false),
  websockets: z.boolean().default(true),
  /**
   * Identity headers of other proxies (X-Forwarded-User, X-Auth-Request-*, Remote-*, …) that this
   * origin may still receive from the client; stripped by default.
   */
  passClientHeaders: z.array(headerName).default([]),
  policies: z.array(policySchema).default([]),
}).superRefine((app, ctx) => {
  if (app.mode === 'proxy' && app.upstream === undefined) {
    ctx.addIssue({ code: 'custom', path: ['upstream'], message: 'required: the origin Moatless proxies to (or set mode: forwardAuth)' });
  }
  if (app.mode === 'forwardAuth' && app.upstream !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['upstream'], message: 'a forwardAuth app has no upstream: the calling proxy forwards to the origin' });
  }
  // A client must never be able to set a header the origin takes as Moatless's word.
  const own = [...Object.values(app.identityHeaders).filter((h) => h !== undefined), app.assertion.header];
  app.passClientHeaders.forEach((h, i) => {
    const clash = own.find((o) => sameHeader(o, h));
    const what = clash === app.assertion.header ? 'assertion header' : 'identity header';
    if (clash === undefined && !h.replaceAll('_', '-').startsWith('moatless-')) return;
    ctx.addIssue({
      code: 'custom', path: ['passClientHeaders', i],
      message: `"${h}" is ${clash !== undefined ? `this app's ${what} "${clash}"` : 'a Moatless header'}; `
        + 'only Moatless may set it',
    });
  });
});
export type AppConfig = z.infer<typeof appSchema>;

export const serviceTokenSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/),
  clientId: z.string().min(8),
  clientSecret: secretRef,
  expiresAt: z.iso.datetime().optional(),
});
