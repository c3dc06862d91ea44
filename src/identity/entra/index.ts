// Entra ID sign-in: the generic OIDC flow (PKCE, state, nonce, `claims` for auth contexts) plus
// Entra's rules — issuer pinned per cloud and tenant, identity key `tid:oid`, email from `email`
// or `preferred_username`, groups with names (overage through Graph), `amr` and `acrs`. The
// composition root calls createEntraProvider. Must not route HTTP or decide access (the proxy
// denies when a requested `acrs` is missing from the identity).
import type { EntraIdpConfig } from '../../config/schema/identity.ts';
import { ResponseBodyError, type IDToken } from 'openid-client';
import type { Identity, SignInResult } from '../identity.ts';
import { normaliseEmail } from '../identity.ts';
import { OidcProvider, publicClaims } from '../oidc-provider.ts';
import { SignInError, type BeginOptions, type IdentityProviderAdapter, type IdpLogoutVerifier, type SignInTransaction } from '../provider.ts';
import { entraEndpoints } from './clouds.ts';
import { secretOf, type EntraClientCredential } from './client-credential.ts';
import { EntraGraphClient, type GraphClient } from './graph-client.ts';
import { resolveGroups, type GroupsLogger } from './groups.ts';
import { checkTokenTenant, discoverEntra, explainIssuerFailure } from './issuer.ts';

export { CLOUDS, cloudCapabilities, entraEndpoints, type CloudCapabilities, type EntraCloud } from './clouds.ts';
export { EntraGraphClient, EntraTokenError, GraphError, type GraphClient, type GraphClientOptions } from './graph-client.ts';
export { certificateThumbprints, credentialFromSecrets, type EntraClientCredential, type ResolvedIdpSecrets } from './client-credential.ts';
export { listAuthenticationContexts, importAuthContexts, listImportedAuthContexts, runAuthContextsImport, type AuthContext } from './auth-contexts.ts';

export interface EntraLogger extends GroupsLogger {
  info(obj: object, msg: string): void;
}

export interface EntraProviderDeps {
  /** Outbound fetch for the authority and Graph (tests map national-cloud hosts to an emulator). */
  fetch?: typeof fetch;
  logger?: EntraLogger;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Overrides the Graph client built from the config; null disables Graph (names become ids). */
  graph?: GraphClient | null;
}

/** The app-only Graph client for an Entra IdP config (token cached across users and sign-ins). */
export function createEntraGraphClient(cfg: EntraIdpConfig, credential: EntraClientCredential, deps: Omit<EntraProviderDeps, 'graph' | 'logger'> = {}): EntraGraphClient {
  const ep = entraEndpoints(cfg);
  return new EntraGraphClient({
    tokenUrl: ep.tokenUrl, graphBase: ep.graphBase, tenantId: cfg.tenantId, clientId: cfg.clientId, credential,
    ...(deps.fetch ? { fetch: deps.fetch } : {}), ...(deps.now ? { now: deps.now } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}), ...(deps.random ? { random: deps.random } : {}),
  });
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

export class EntraProvider implements IdentityProviderAdapter {
  readonly id: string;
  readonly displayName: string;
  readonly issuer: string;
  readonly #inner: OidcProvider;

  constructor(cfg: EntraIdpConfig, credential: EntraClientCredential, deps: EntraProviderDeps = {}) {
    const ep = entraEndpoints(cfg);
    this.id = cfg.id;
    this.displayName = cfg.displayName ?? 'Microsoft Entra ID';
    this.issuer = ep.issuer;
    const graph = deps.graph === undefined ? createEntraGraphClient(cfg, credential, deps) : deps.graph;
    const toIdentity = async (c: IDToken, tx: SignInTransaction): Promise<Identity> => {
      checkTokenTenant(c, ep.issuer, cfg.tenantId);
      const oid = c['oid'];
      if (typeof oid !== 'string' || oid === '') throw new SignInError('no_oid', 'the token has no oid claim (add the profile scope)');
      // `email` is optional and mutable (id-token-claims-reference); preferred_username is the UPN.
      const email = typeof c['email'] === 'string' && c['email'] ? c['email'] : typeof c['preferred_username'] === 'string' ? c['preferred_username'] : '';
      if (!email) throw new SignInError('no_email', 'the token has neither email nor preferred_username (add the email and profile scopes)');
      const { groups, groupNames } = await resolveGroups(c, { graph, oid, idp: cfg.id, ...(deps.logger ? { logger: deps.logger } : {}) });
      const acrs = strings(c['acrs']);
      const missing = tx.acrs.filter((a) => !acrs.includes(a));
      if (missing.length) deps.logger?.info({ idp: cfg.id, missing }, 'entra: requested authentication contexts not in the token');
      return {
        userKey: `${cfg.tenantId}:${oid}`, email: normaliseEmail(email), name: typeof c['name'] === 'string' ? c['name'] : undefined,
        idp: cfg.id, groups, groupNames, amr: strings(c.amr), acrs, claims: publicClaims(c),
      };
    };
    this.#inner = new OidcProvider({
      // The secret is only used by generic discovery, which `discover` replaces.
      id: cfg.id, displayName: this.displayName, issuer: ep.issuer, clientId: cfg.clientId, clientSecret: secretOf(credential),
      scopes: cfg.scopes, groupsClaim: 'groups', emailClaim: 'email', ...(deps.fetch ? { fetch: deps.fetch } : {}),
      discover: () => discoverEntra({ discoveryBase: ep.issuer, expectedIssuer: ep.issuer, tenantId: cfg.tenantId, clientId: cfg.clientId, credential, ...(deps.fetch ? { fetch: deps.fetch } : {}) }),
    }, toIdentity);
  }

  begin(opts: BeginOptions): Promise<{ url: string; tx: SignInTransaction }> {
    return this.#inner.begin(opts);
  }

  idpLogout(): Promise<IdpLogoutVerifier> {
    return this.#inner.idpLogout();
  }

  async complete(callbackUrl: URL, tx: SignInTransaction, redirectUri: string): Promise<SignInResult> {
    try {
      return await this.#inner.complete(callbackUrl, tx, redirectUri);
    } catch (err) {
      // openid-client pins `iss` before our claims code runs; say which tenant or cloud it was.
      if (err instanceof SignInError && err.code === 'token_invalid') throw explainClientAuthFailure(err) ?? explainIssuerFailure(err, this.issuer) ?? err;
      throw err;
    }
  }
}

/**
 * Entra refused Moatless's own credential at the code exchange (`invalid_client`: a wrong or
 * expired secret, a certificate not uploaded to the app registration, a wrong key). That is an
 * operator's problem, not the user's, and the AADSTS code says which.
 */
function explainClientAuthFailure(err: SignInError): SignInError | undefined {
  const cause = err.cause;
  if (!(cause instanceof ResponseBodyError) || cause.error !== 'invalid_client') return undefined;
  const summary = (cause.error_description ?? '').split(/\r?\n| Trace ID:/)[0]?.trim() || 'invalid_client';
  return new SignInError('client_auth_failed', `Entra refused this app's client credential (ask an administrator to check the app registration): ${summary}`, { cause });
}

/** The Entra sign-in adapter; `credential` is the app's client secret or certificate (see client-credential.ts). */
export function createEntraProvider(cfg: EntraIdpConfig, credential: EntraClientCredential, deps: EntraProviderDeps = {}): EntraProvider {
  return new EntraProvider(cfg, credential, deps);
}
