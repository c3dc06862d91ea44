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

export const appSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, - and _'),
  name: z.string().min(1).optional(),
  hosts: z.array(appHostSchema).min(1),
  upstream: httpUrl,
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
  policies: z.array(policySchema).default([]),
});
export type AppConfig = z.infer<typeof appSchema>;

export const serviceTokenSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/),
  clientId: z.string().min(8),
  clientSecret: secretRef,
  expiresAt: z.iso.datetime().optional(),
});
