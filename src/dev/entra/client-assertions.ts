// Certificate credentials in the emulator: the JWKS oidc-provider verifies a client's assertions
// against (derived from the fixture's PEM certificates), Entra's own checks on top of
// oidc-provider's (`aud` is the token endpoint, the header names a registered certificate by
// `x5t`/`x5t#S256`), and the AADSTS code for each way an assertion fails. Must not accept an
// assertion oidc-provider refused, nor echo the assertion back.
import { createHash, X509Certificate } from 'node:crypto';
import { errors, type KoaContext } from 'oidc-provider';

export interface CertificateJwk {
  kty: string;
  n?: string;
  e?: string;
  kid: string;
  use: 'sig';
  x5t: string;
  'x5t#S256': string;
  x5c: string[];
}

/** The public JWK of an uploaded certificate; `kid` is its `x5t`, the thumbprint Entra shows in the portal. */
export function certificateJwk(pem: string): CertificateJwk {
  const cert = new X509Certificate(pem);
  const x5t = createHash('sha1').update(cert.raw).digest('base64url');
  const jwk = cert.publicKey.export({ format: 'jwk' });
  return {
    kty: String(jwk.kty), ...(jwk.n ? { n: jwk.n } : {}), ...(jwk.e ? { e: jwk.e } : {}),
    kid: x5t, use: 'sig', x5t, 'x5t#S256': createHash('sha256').update(cert.raw).digest('base64url'), x5c: [cert.raw.toString('base64')],
  };
}

/**
 * oidc-provider's `assertJwtClientAuthClaimsAndHeader`, made Entra-strict. It runs after the
 * signature check. oidc-provider also accepts the issuer as `aud`; Entra wants the token endpoint
 * (certificate-credentials "Claims (payload)").
 */
export function entraAssertionChecks(tokenUrl: string, thumbprintsOf: (clientId: string) => ReadonlySet<string>) {
  return async (ctx: KoaContext, claims: Record<string, unknown>, header: Record<string, unknown>, client: { clientId: string }): Promise<void> => {
    if (ctx.oidc.route !== 'token') return;
    const aud = claims['aud'];
    if (aud !== tokenUrl && !(Array.isArray(aud) && aud.includes(tokenUrl))) throw new errors.InvalidClientAuth(`audience (aud) must be ${tokenUrl}`);
    const known = thumbprintsOf(client.clientId);
    const named = [header['x5t'], header['x5t#S256']].filter((t): t is string => typeof t === 'string');
    if (!named.some((t) => known.has(t))) throw new errors.InvalidClientAuth('no applicable key found: the header names no registered certificate (x5t)');
  };
}

export interface AadstsCode {
  code: number;
  text: string;
}

/**
 * The Entra code for a failed client authentication, from oidc-provider's `error_detail`
 * (helpers/jwt.js and shared/jwt_client_auth.js messages). Codes per Entra's error-code reference.
 */
export function clientAuthFailure(detail: string, usedAssertion: boolean): AadstsCode {
  if (!usedAssertion) return { code: 7000215, text: 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.' };
  if (/jwt expired|not active yet|invalid (exp|nbf) value|expiration must be specified/.test(detail)) {
    return { code: 700024, text: 'Client assertion is not within its valid time range.' };
  }
  if (/audience|\baud\b/.test(detail)) return { code: 700023, text: 'Client assertion audience claim does not match Realm issuer.' };
  if (/signature verification failed|no applicable key|does not match the registered client authentication method/.test(detail)) {
    return { code: 700027, text: 'Client assertion contains an invalid signature. [Reason - The key was not found.]' };
  }
  if (/iss \(JWT issuer\)|client_id mismatch/.test(detail)) return { code: 700021, text: 'Client assertion application identifier doesn\'t match \'client_id\' parameter.' };
  return { code: 70002, text: 'Error validating credentials.' };
}
