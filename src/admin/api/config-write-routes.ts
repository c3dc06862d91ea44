// Admin API: create, replace (PUT), patch (PATCH, RFC 7396 merge patch) and delete the apps,
// policies, rule groups and identity providers kept in the store. A thin adapter over ConfigWrites (which judges the
// whole resulting config): declares the bodies, the If-Match header and the answers. Owns: these
// operations. Must not: validate definitions itself — the config schema and policy compiler do.
import { z } from 'zod';
import type { ConfigObjectKind, ConfigObjectRecord } from '../../store/ports.ts';
import { etagOf, LABEL, pathOf, type ConfigWrites } from '../config-objects/writes.ts';
import { iso, isoTime } from './common.ts';
import { ApiError } from './errors.ts';
import { defineRoute, type HandlerContext, type Route } from './route.ts';

const appBody = z.looseObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, - and _'),
  policies: z.undefined({ error: 'policies are objects of their own: create them with POST /policies {"app": …}' }).optional(),
}).meta({
  id: 'AppDefinition', description: 'An app as in moatless.yaml apps[] (hosts, upstream, identityProviders, …), without policies.',
});
const policyBody = z.looseObject({
  app: z.string().min(1).max(63).meta({ description: 'An app created through this API.' }),
  order: z.number().int().min(-1_000_000).max(1_000_000).optional()
    .meta({ description: 'Evaluation order within the app (ascending, then creation); default 0.' }),
}).meta({
  id: 'PolicyDefinition',
  description: 'A policy as in moatless.yaml apps[].policies[] (name, action, include, require, exclude, sessionDuration), plus app and order.',
});
const ruleGroupBody = z.looseObject({ name: z.string().min(1).max(200) })
  .meta({ id: 'RuleGroupDefinition', description: 'A rule group as in moatless.yaml ruleGroups[].' });
const identityProviderBody = z.looseObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, - and _'),
  type: z.enum(['oidc', 'entra']),
}).meta({
  id: 'IdentityProviderDefinition',
  description: 'An identity provider as in moatless.yaml identityProviders[] (oidc: issuer, clientId, clientSecret, scopes, groupsClaim, emailClaim; '
    + 'entra: tenantId, clientId, clientSecret or clientCertificate, cloud, …). Secrets are only named: {"env": "MOATLESS_IDP_…"}, '
    + 'a variable set on every replica; no inline secret or file.',
});
const patchBody = z.record(z.string(), z.unknown())
  .meta({ description: 'RFC 7396 JSON merge patch of the definition (null removes a key).' });

const objectSchema = z.object({
  kind: z.enum(['app', 'policy', 'ruleGroup', 'identityProvider']), id: z.string(), etag: z.string(), definition: z.record(z.string(), z.unknown()),
  createdAt: isoTime, createdBy: z.string(), updatedAt: isoTime, updatedBy: z.string(),
}).meta({ id: 'ConfigObject' });

const KINDS: { kind: ConfigObjectKind; name: string; param: 'id' | 'name'; body: z.ZodType }[] = [
  { kind: 'app', name: 'App', param: 'id', body: appBody },
  { kind: 'policy', name: 'Policy', param: 'id', body: policyBody },
  { kind: 'ruleGroup', name: 'RuleGroup', param: 'name', body: ruleGroupBody },
  { kind: 'identityProvider', name: 'IdentityProvider', param: 'id', body: identityProviderBody },
];

function view(o: ConfigObjectRecord, ctx: HandlerContext): z.input<typeof objectSchema> {
  ctx.setHeader('etag', etagOf(o));
  return record(o);
}

function record(o: ConfigObjectRecord): z.input<typeof objectSchema> {
  return {
    kind: o.kind, id: o.id, etag: etagOf(o), definition: o.body as Record<string, unknown>,
    createdAt: iso(o.createdAt), createdBy: o.createdBy, updatedAt: iso(o.updatedAt), updatedBy: o.updatedBy,
  };
}

const writer = (ctx: HandlerContext) => ({ actor: ctx.who.actor, audit: ctx.audit });

const policyOrderRoute = (w: () => ConfigWrites): Route => defineRoute({
  method: 'put', path: '/apps/{id}/policy-order', operationId: 'reorderPolicies', tag: 'config', access: 'write', errors: ['409', '412', '428'],
  summary: 'Set the evaluation order of an API app\'s policies in one write (every policy, each with its ETag)',
  params: z.strictObject({ id: z.string().min(1).max(200) }),
  body: z.strictObject({
    policies: z.array(z.strictObject({ id: z.string().min(1).max(200), etag: z.string().min(1).max(40) })).max(1000)
      .meta({ description: 'Every policy of the app, first evaluated first, each with the ETag it was read with.' }),
  }).meta({ id: 'PolicyOrder' }),
  response: z.object({ changed: z.array(objectSchema).meta({ description: 'The policies whose order changed, with their new ETags.' }) }),
  async handle({ params, body }, ctx) {
    const saved = await w().reorder(params.id, body.policies, { actor: ctx.who.actor, audit: ctx.audit });
    return { changed: saved.map(record) };
  },
});

export function configWriteRoutes(writes: ConfigWrites | undefined): Route[] {
  const w = (): ConfigWrites => {
    if (!writes) throw new ApiError('unavailable', 'config writes are not available in this process');
    return writes;
  };
  return [policyOrderRoute(w), ...KINDS.flatMap(({ kind, name, param, body }) => {
    const base = pathOf(kind);
    const params = z.strictObject({ [param]: z.string().min(1).max(200) });
    const common = { tag: 'config', access: 'write' as const };
    const what = LABEL[kind];
    return [
      defineRoute({
        ...common, method: 'post', path: base, operationId: `create${name}`, status: 201, errors: ['409'],
        summary: `Create a ${what} (stored, served by every replica at once)`,
        body, response: objectSchema,
        async handle({ body: b }, ctx) { return view(await w().create(kind, b as Record<string, unknown>, writer(ctx)), ctx); },
      }),
      defineRoute({
        ...common, method: 'put', path: `${base}/{${param}}`, operationId: `replace${name}`, errors: ['409', '412', '428'],
        summary: `Replace a ${what} created through the API (If-Match required)`,
        params, body, response: objectSchema,
        async handle({ params: p, body: b }, ctx) {
          return view(await w().replace(kind, String(p[param]), b as Record<string, unknown>, ctx.ifMatch, writer(ctx)), ctx);
        },
      }),
      defineRoute({
        ...common, method: 'patch', path: `${base}/{${param}}`, operationId: `patch${name}`, errors: ['409', '412', '428'],
        summary: `Change fields of a ${what} created through the API (JSON merge patch; If-Match required)`,
        params, body: patchBody, response: objectSchema,
        async handle({ params: p, body: b }, ctx) {
          return view(await w().patch(kind, String(p[param]), b, ctx.ifMatch, writer(ctx)), ctx);
        },
      }),
      defineRoute({
        ...common, method: 'delete', path: `${base}/{${param}}`, operationId: `delete${name}`, errors: ['409', '412', '428'],
        summary: `Delete a ${what} created through the API (If-Match required${kind === 'app' ? '; its policies go with it'
          : kind === 'identityProvider' ? '; refused while an app offers it' : ''})`,
        params, response: z.object({ deleted: z.number().int().meta({ description: 'Objects deleted (an app with its policies).' }) }),
        async handle({ params: p }, ctx) { return w().remove(kind, String(p[param]), ctx.ifMatch, writer(ctx)); },
      }),
    ];
  })];
}
