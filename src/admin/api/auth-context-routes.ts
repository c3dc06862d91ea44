// Admin API: an Entra identity provider's Conditional Access authentication contexts (c1…c99) —
// the list last imported, and the import itself, which reads Microsoft Graph with the provider's
// own credential on the server (so `moatless entra auth-contexts import --url` needs no secret on
// the operator's machine). Owns: these two operations. Must not: write anything when Graph failed
// (auth-contexts.ts keeps the previous import), or put a credential in an answer or the audit log.
import { z } from 'zod';
import { credentialFromSecrets, EntraTokenError, GraphError } from '../../identity/entra/index.ts';
import { listImportedAuthContexts, runAuthContextsImport } from '../../identity/entra/auth-contexts.ts';
import type { EntraIdpConfig } from '../../config/schema/identity.ts';
import type { ApiDeps } from './common.ts';
import { ApiError, notFound } from './errors.ts';
import { defineRoute, type Route } from './route.ts';

const params = z.strictObject({ id: z.string().max(63) });
const authContextList = z.object({
  identityProvider: z.string(),
  items: z.array(z.object({
    id: z.string().meta({ example: 'c1' }), displayName: z.string(), description: z.string(),
    isAvailable: z.boolean().meta({ description: 'false: not yet published in Entra, so apps cannot request it.' }),
  })),
}).meta({ id: 'AuthContextList' });

/** Graph's and Entra's refusals as the API's one error shape; their messages carry no credential. */
export function upstreamError(err: unknown): unknown {
  if (err instanceof GraphError) return new ApiError('upstream_error', `Microsoft Graph answered ${err.status || 'nothing'} (${err.code}): ${err.message}`);
  if (err instanceof EntraTokenError) return new ApiError('upstream_error', `Entra refused the app's credential (${err.code}${err.aadsts ? `, ${err.aadsts}` : ''}): ${err.message}`);
  return err;
}

export function authContextRoutes(deps: ApiDeps): Route[] {
  const entraIdp = (id: string): EntraIdpConfig => {
    const p = deps.runtime().config.identityProviders.find((x) => x.id === id);
    if (!p) throw notFound(`identity provider "${id}"`);
    if (p.type !== 'entra') throw new ApiError('invalid_request', 'the request params are invalid', [{ path: 'params.id', message: `"${id}" is an OIDC provider; authentication contexts are Entra's` }]);
    return p;
  };
  return [
    defineRoute({
      method: 'get', path: '/identity-providers/{id}/auth-contexts', operationId: 'listAuthContexts', tag: 'config', access: 'read',
      summary: 'The authentication contexts last imported for an Entra provider (empty before the first import)',
      params, response: authContextList,
      async handle({ params: p }) {
        const idp = entraIdp(p.id);
        return { identityProvider: idp.id, items: await listImportedAuthContexts(deps.store.kv, idp.id) };
      },
    }),
    defineRoute({
      method: 'post', path: '/identity-providers/{id}/auth-contexts/import', operationId: 'importAuthContexts', tag: 'config', access: 'write', errors: ['502'],
      summary: 'Read the tenant\'s authentication contexts from Microsoft Graph (Policy.Read.ConditionalAccess) and keep them for the policy editor',
      params, response: authContextList,
      async handle({ params: p }, ctx) {
        const idp = entraIdp(p.id);
        const before = (await listImportedAuthContexts(deps.store.kv, idp.id)).map((c) => c.id);
        const credential = credentialFromSecrets(deps.runtime().config.secrets, idp.id);
        const sink = { write: () => true };
        const items = await runAuthContextsImport(idp, credential, deps.store, sink, deps.idpFetch ? { fetch: deps.idpFetch } : {})
          .catch((err: unknown) => { throw upstreamError(err); });
        await ctx.audit({ action: 'authContexts.import', target: `identityProvider:${idp.id}`, before: { contexts: before }, after: { contexts: items.map((c) => c.id) } });
        return { identityProvider: idp.id, items };
      },
    }),
  ];
}
