// Entra ID sign-in: the generic OIDC flow plus Entra's identity rules (oid+tid key, email from
// `email` or `preferred_username`, tenant check, groups claim).
// TODO(entra issue): overage via Graph, group names, auth contexts import — see identity/entra/README in the issue notes.
import type { EntraIdpConfig } from '../../config/schema/identity.ts';
import { OidcProvider, publicClaims } from '../oidc-provider.ts';
import { SignInError } from '../provider.ts';
import { normaliseEmail } from '../identity.ts';
import { entraEndpoints } from './clouds.ts';

export function createEntraProvider(cfg: EntraIdpConfig, clientSecret: string, deps: { fetch?: typeof fetch } = {}): OidcProvider {
  const ep = entraEndpoints(cfg);
  return new OidcProvider({
    id: cfg.id, displayName: cfg.displayName ?? 'Microsoft Entra ID', issuer: ep.issuer, clientId: cfg.clientId, clientSecret,
    scopes: cfg.scopes, groupsClaim: 'groups', emailClaim: 'email', ...(deps.fetch ? { fetch: deps.fetch } : {}),
  }, async (c) => {
    if (c['tid'] !== cfg.tenantId) throw new SignInError('wrong_tenant', `the token is from tenant ${String(c['tid'])}, not ${cfg.tenantId}`);
    const oid = c['oid'];
    if (typeof oid !== 'string') throw new SignInError('no_oid', 'the token has no oid claim (add the profile scope)');
    const email = typeof c['email'] === 'string' ? c['email'] : typeof c['preferred_username'] === 'string' ? c['preferred_username'] : null;
    if (!email) throw new SignInError('no_email', 'the token has neither email nor preferred_username');
    if (c['_claim_names'] !== undefined && c['groups'] === undefined) throw new SignInError('groups_overage', 'the user is in too many groups for the token and the Graph lookup is not available');
    const groups = Array.isArray(c['groups']) ? c['groups'].filter((g): g is string => typeof g === 'string') : [];
    return {
      userKey: `${cfg.tenantId}:${oid}`, email: normaliseEmail(email), name: typeof c['name'] === 'string' ? c['name'] : undefined, idp: cfg.id,
      groups, groupNames: groups, amr: Array.isArray(c.amr) ? c.amr.filter((a): a is string => typeof a === 'string') : [], acrs: Array.isArray(c['acrs']) ? (c['acrs'] as unknown[]).filter((a): a is string => typeof a === 'string') : [],
      claims: publicClaims(c),
    };
  });
}
