// Admin API: identity providers as served — from moatless.yaml (read-only: the file stays the source
// of truth) and created through the API (writes: config-write-routes.ts). Owns: the public view of an
// IdP — type, issuer, client id, scopes, which apps offer it. Must not: show a client secret, a
// certificate's private key, or where a file-defined one is kept (env variable, file path): the view
// is built field by field from an allow-list, never by copying the config object. An API IdP's
// `definition` is what the API was sent, which names secrets only by variable (api-secret-refs.ts).
import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import type { IdentityProviderConfig } from '../../config/schema/identity.ts';
import { entraEndpoints } from '../../identity/entra/clouds.ts';
import { certificateThumbprints } from '../../identity/entra/client-credential.ts';
import { type ApiDeps, isoTime } from './common.ts';
import { notFound } from './errors.ts';
import { etagOf } from '../config-objects/writes.ts';
import { defineRoute, type Route } from './route.ts';

export const identityProviderSchema = z.object({
  id: z.string(),
  type: z.enum(['oidc', 'entra']),
  displayName: z.string().nullable(),
  issuer: z.string().meta({ description: 'The issuer ID tokens must carry; discovery is read below it. Entra: the tenant\'s v2.0 issuer for its cloud.' }),
  clientId: z.string(),
  scopes: z.array(z.string()),
  credential: z.object({
    kind: z.enum(['clientSecret', 'clientCertificate']).meta({ description: 'How Moatless authenticates to the provider. The secret or private key itself is never shown.' }),
    certificateThumbprint: z.string().nullable().meta({ description: 'clientCertificate: the certificate\'s SHA-256 thumbprint (base64url, as in x5t#S256), to match the one uploaded to Entra.' }),
    certificateNotAfter: isoTime.nullable().meta({ description: 'clientCertificate: when the certificate expires.' }),
  }),
  groupsClaim: z.string().nullable().meta({ description: 'oidc: the claim holding groups; null for entra (groups come from the token and Graph).' }),
  emailClaim: z.string().nullable(),
  entra: z.object({ tenantId: z.string(), cloud: z.string(), groupChangePollingMs: z.number().int() }).nullable(),
  reauthOnGroupChange: z.boolean(),
  apps: z.array(z.string()).meta({ description: 'Apps whose sign-in offers this provider (an app that names none offers every provider).' }),
  riskSync: z.boolean().meta({ description: 'true when the risk sync reads risky users through this provider.' }),
  source: z.enum(['config', 'api']).meta({ description: 'config: from moatless.yaml, read-only here; api: created through this API.' }),
  etag: z.string().nullable().meta({ description: 'For If-Match on PUT/PATCH/DELETE; null for config ones.' }),
  definition: z.record(z.string(), z.unknown()).nullable()
    .meta({ description: 'api: the definition as stored (secrets appear only as {"env": NAME}); null for config ones.' }),
}).meta({ id: 'IdentityProvider' });

type View = z.input<typeof identityProviderSchema>;

function certificateFacts(pem: string | undefined): Pick<View['credential'], 'certificateThumbprint' | 'certificateNotAfter'> {
  if (!pem) return { certificateThumbprint: null, certificateNotAfter: null };
  try {
    return { certificateThumbprint: certificateThumbprints(pem)['x5t#S256'], certificateNotAfter: new Date(new X509Certificate(pem).validTo).toISOString() };
  } catch {
    return { certificateThumbprint: null, certificateNotAfter: null };
  }
}

function viewOf(idp: IdentityProviderConfig, deps: ApiDeps): View {
  const rt = deps.runtime();
  const stored = rt.config.apiObjects.find((o) => o.kind === 'identityProvider' && o.id === idp.id);
  const origin = stored
    ? { source: 'api' as const, etag: etagOf(stored), definition: stored.body as Record<string, unknown> }
    : { source: 'config' as const, etag: null, definition: null };
  const apps = [...rt.apps.values()].filter((a) => a.idps.includes(idp.id)).map((a) => a.id);
  const common = {
    id: idp.id, type: idp.type, displayName: idp.displayName ?? null, clientId: idp.clientId, scopes: [...idp.scopes],
    reauthOnGroupChange: idp.reauthOnGroupChange, apps, riskSync: rt.config.risk?.identityProvider === idp.id, ...origin,
  };
  if (idp.type === 'oidc') {
    return { ...common, issuer: idp.issuer, credential: { kind: 'clientSecret', ...certificateFacts(undefined) }, groupsClaim: idp.groupsClaim, emailClaim: idp.emailClaim, entra: null };
  }
  const cert = rt.config.secrets.idpClientCertificates.get(idp.id);
  return {
    ...common, issuer: entraEndpoints(idp).issuer,
    credential: { kind: idp.clientCertificate ? 'clientCertificate' : 'clientSecret', ...certificateFacts(cert?.certificatePem) },
    groupsClaim: null, emailClaim: null,
    entra: { tenantId: idp.tenantId, cloud: idp.cloud, groupChangePollingMs: idp.groupChangePolling },
  };
}

export function identityProviderRoutes(deps: ApiDeps): Route[] {
  const all = () => deps.runtime().config.identityProviders;
  return [
    defineRoute({
      method: 'get', path: '/identity-providers', operationId: 'listIdentityProviders', tag: 'config', access: 'read',
      summary: 'Identity providers (moatless.yaml\'s read-only, the API\'s with ETag), with the apps that offer each; never their secrets',
      response: z.object({ items: z.array(identityProviderSchema) }).meta({ id: 'IdentityProviderList' }),
      async handle() { return { items: all().map((p) => viewOf(p, deps)) }; },
    }),
    defineRoute({
      method: 'get', path: '/identity-providers/{id}', operationId: 'getIdentityProvider', tag: 'config', access: 'read',
      summary: 'One identity provider (never its secret; ETag for API ones)',
      params: z.strictObject({ id: z.string().max(63) }),
      response: identityProviderSchema,
      async handle({ params }, ctx) {
        const p = all().find((x) => x.id === params.id);
        if (!p) throw notFound(`identity provider "${params.id}"`);
        const view = viewOf(p, deps);
        if (view.etag) ctx.setHeader('etag', view.etag);
        return view;
      },
    }),
  ];
}
