// Entra issuer and tenant validation: the tenant-specific v2.0 issuer per cloud, the multi-tenant
// metadata template (`https://login.microsoftonline.com/{tenantid}/v2.0`), discovery that builds
// openid-client's Configuration from validated metadata, and clear reasons when a token comes
// from another tenant or another cloud. Must not accept a token whose issuer it cannot pin.
import * as oidc from 'openid-client';
import { z } from 'zod';
import { SignInError } from '../provider.ts';
import { openIdClientAuth, secretOf, type EntraClientCredential } from './client-credential.ts';
import { CLOUDS, type EntraCloud } from './clouds.ts';

/** Entra's multi-tenant (`/common`, `/organizations`) metadata names this placeholder in `issuer`. */
const TENANT_PLACEHOLDER = /\{tenantid\}/i;

/**
 * The concrete issuer for a tenant: a template issuer gets the token's (or configured) `tid`
 * substituted — what openid-client does itself only for `login.microsoftonline.com`.
 */
export function issuerForTenant(metadataIssuer: string, tid: string): string {
  return metadataIssuer.replace(TENANT_PLACEHOLDER, tid);
}

function cloudOfHost(host: string): string {
  const names = (Object.keys(CLOUDS) as EntraCloud[]).filter((c) => CLOUDS[c].authorityHost === host.toLowerCase());
  return names.length ? names.join('/') : 'an unknown cloud';
}

/**
 * Why `actualIssuer` is not `expectedIssuer`, as a SignInError: another cloud (authority host),
 * another tenant (path), or simply not an Entra v2.0 issuer.
 */
export function issuerMismatch(expectedIssuer: string, actualIssuer: string, tid?: unknown): SignInError {
  let expected: URL;
  let actual: URL;
  try {
    expected = new URL(expectedIssuer);
    actual = new URL(actualIssuer);
  } catch {
    return new SignInError('wrong_issuer', `the token issuer "${actualIssuer}" is not ${expectedIssuer}`);
  }
  if (actual.host !== expected.host) {
    return new SignInError('wrong_cloud', `the token was issued by ${actual.host} (${cloudOfHost(actual.host)}), but this provider signs in through ${expected.host} (${cloudOfHost(expected.host)}); check the "cloud" setting`);
  }
  const tenantOf = (u: URL) => u.pathname.split('/').filter(Boolean)[0] ?? '';
  const actualTenant = typeof tid === 'string' ? tid : tenantOf(actual);
  if (actualTenant.toLowerCase() !== tenantOf(expected).toLowerCase()) {
    return new SignInError('wrong_tenant', `the token is from tenant ${actualTenant}, not ${tenantOf(expected)}; only users of the configured tenant may sign in`);
  }
  return new SignInError('wrong_issuer', `the token issuer "${actualIssuer}" is not ${expectedIssuer} (v1.0 tokens are not accepted)`);
}

/** Checks `iss` and `tid` of verified ID-token claims against the configured tenant (defence in depth). */
export function checkTokenTenant(claims: { iss: string; tid?: unknown }, expectedIssuer: string, tenantId: string): void {
  if (claims.iss !== expectedIssuer) throw issuerMismatch(expectedIssuer, claims.iss, claims.tid);
  if (typeof claims.tid !== 'string' || claims.tid.toLowerCase() !== tenantId.toLowerCase()) {
    throw new SignInError('wrong_tenant', `the token is from tenant ${String(claims.tid)}, not ${tenantId}; only users of the configured tenant may sign in`);
  }
}

/**
 * openid-client reports an issuer mismatch three causes deep (ClientError → OperationProcessingError
 * → details): `{claims, claim: 'iss'}` for the ID token, or `{parameters}` for the RFC 9207 `iss`
 * authorization-response parameter, which is checked first. Find either.
 */
export function explainIssuerFailure(err: unknown, expectedIssuer: string): SignInError | undefined {
  let cur: unknown = err;
  let message = '';
  for (let depth = 0; depth < 6 && typeof cur === 'object' && cur !== null; depth++) {
    if ('claim' in cur && cur.claim === 'iss' && 'claims' in cur) {
      const claims = cur.claims as Record<string, unknown>;
      if (typeof claims['iss'] === 'string') return issuerMismatch(expectedIssuer, claims['iss'], claims['tid']);
    }
    if ('parameters' in cur && cur.parameters instanceof URLSearchParams && message.includes('"iss"')) {
      const iss = cur.parameters.get('iss');
      if (iss) return issuerMismatch(expectedIssuer, iss);
    }
    if (cur instanceof Error) message = cur.message;
    cur = 'cause' in cur ? cur.cause : undefined;
  }
  return undefined;
}

const metadataSchema = z.object({
  issuer: z.string().min(1),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  jwks_uri: z.url(),
}).loose();

export interface EntraDiscoveryOptions {
  /** Where the metadata lives: `{authority}/{tenant}/v2.0` (or `/organizations/v2.0`). */
  discoveryBase: string;
  /** The tenant-specific issuer tokens must carry. */
  expectedIssuer: string;
  tenantId: string;
  clientId: string;
  /** A client secret (`client_secret_post`) or a certificate (`private_key_jwt`). */
  credential: EntraClientCredential;
  fetch?: typeof fetch;
  timeoutSeconds?: number;
}

/**
 * Fetches and validates the OpenID metadata, substitutes a `{tenantid}` template with the
 * configured tenant, pins the issuer, and builds the Configuration. openid-client's own
 * `discovery()` rejects a template issuer outside `login.microsoftonline.com` (national clouds,
 * the emulator), so discovery is done here rather than there.
 */
export async function discoverEntra(o: EntraDiscoveryOptions): Promise<oidc.Configuration> {
  const url = `${o.discoveryBase.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const doFetch = o.fetch ?? fetch;
  const res = await doFetch(url, { headers: { accept: 'application/json' }, redirect: 'manual', signal: AbortSignal.timeout((o.timeoutSeconds ?? 10) * 1000) });
  if (!res.ok) {
    await res.body?.cancel();
    throw new SignInError('idp_unavailable', `Entra metadata at ${url} answered HTTP ${res.status}; check tenantId and cloud`);
  }
  const parsed = metadataSchema.safeParse(await res.json().catch(() => null));
  if (!parsed.success) throw new SignInError('idp_unavailable', `Entra metadata at ${url} is not an OpenID configuration`);
  const issuer = issuerForTenant(parsed.data.issuer, o.tenantId);
  if (issuer !== o.expectedIssuer) throw issuerMismatch(o.expectedIssuer, issuer);
  const auth = await openIdClientAuth(o.credential, parsed.data.token_endpoint);
  const clientMetadata = o.credential.kind === 'secret' ? { client_secret: secretOf(o.credential) } : {};
  const config = new oidc.Configuration({ ...parsed.data, issuer } as oidc.ServerMetadata, o.clientId, clientMetadata, auth);
  if (new URL(o.expectedIssuer).protocol === 'http:') oidc.allowInsecureRequests(config); // emulator only
  if (o.fetch) config[oidc.customFetch] = o.fetch as oidc.CustomFetch;
  config.timeout = o.timeoutSeconds ?? 10;
  return config;
}
