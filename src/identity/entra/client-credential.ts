// How Moatless proves to Entra that it is the app registration: a client secret, or a certificate
// whose private key signs a short-lived client assertion (Microsoft identity platform "certificate
// credentials"; RFC 7523 §2.2). Owns the assertion's header and claims and the openid-client auth
// method for either kind. Must not log, return or put in errors the secret or the private key.
import { createHash, createPrivateKey, randomUUID, X509Certificate, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import * as oidc from 'openid-client';

export type EntraClientCredential =
  | { readonly kind: 'secret'; readonly secret: string }
  | { readonly kind: 'certificate'; readonly certificatePem: string; readonly privateKeyPem: string };

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Short on purpose: an assertion is made per token request; Microsoft suggests minutes, not hours. */
export const ASSERTION_LIFETIME_SECONDS = 300;

/** The certificate's base64url SHA-1 (`x5t`) and SHA-256 (`x5t#S256`) thumbprints of the DER bytes (RFC 7515 §4.1.7–8). */
export function certificateThumbprints(certificatePem: string): { x5t: string; 'x5t#S256': string } {
  const der = new X509Certificate(certificatePem).raw;
  return {
    x5t: createHash('sha1').update(der).digest('base64url'),
    'x5t#S256': createHash('sha256').update(der).digest('base64url'),
  };
}

/** The secrets the credential material holds, parsed once per credential (PEM parsing is not free). */
interface Signer {
  key: KeyObject;
  header: { alg: 'RS256'; typ: 'JWT'; x5t: string; 'x5t#S256': string };
}

const signers = new WeakMap<object, Signer>();

function signerFor(cred: Extract<EntraClientCredential, { kind: 'certificate' }>): Signer {
  let s = signers.get(cred);
  if (!s) {
    // createPrivateKey reads PKCS#8 and PKCS#1 ("BEGIN RSA PRIVATE KEY") alike; openssl writes either.
    s = { key: createPrivateKey(cred.privateKeyPem), header: { alg: 'RS256', typ: 'JWT', ...certificateThumbprints(cred.certificatePem) } };
    signers.set(cred, s);
  }
  return s;
}

export interface AssertionOptions {
  clientId: string;
  /** The token endpoint URL the assertion is sent to: Entra checks `aud` against it. */
  audience: string;
  /** Milliseconds since the epoch. */
  now?: number;
}

/** A signed client assertion: `iss` = `sub` = client id, `aud` = token URL, unique `jti`, `nbf`/`iat`/`exp`. */
export async function signClientAssertion(cred: Extract<EntraClientCredential, { kind: 'certificate' }>, o: AssertionOptions): Promise<string> {
  const { key, header } = signerFor(cred);
  const now = Math.floor((o.now ?? Date.now()) / 1000);
  return new SignJWT({})
    .setProtectedHeader(header)
    .setIssuer(o.clientId).setSubject(o.clientId).setAudience(o.audience)
    .setJti(randomUUID()).setIssuedAt(now).setNotBefore(now).setExpirationTime(now + ASSERTION_LIFETIME_SECONDS)
    .sign(key);
}

/** Form fields that authenticate a client-credentials request (`client_id` is the caller's). */
export async function clientAuthFields(cred: EntraClientCredential, o: AssertionOptions): Promise<Record<string, string>> {
  if (cred.kind === 'secret') return { client_secret: cred.secret };
  return { client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: await signClientAssertion(cred, o) };
}

/**
 * openid-client's token-endpoint authentication for the credential. openid-client's own assertion
 * names the issuer as `aud`; Entra wants the token endpoint, and finds the key by `x5t`.
 */
export async function openIdClientAuth(cred: EntraClientCredential, tokenEndpoint: string): Promise<oidc.ClientAuth> {
  if (cred.kind === 'secret') return oidc.ClientSecretPost(cred.secret);
  const { key, header } = signerFor(cred);
  const cryptoKey = await key.toCryptoKey({ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
  return oidc.PrivateKeyJwt(cryptoKey, {
    [oidc.modifyAssertion]: (h, p) => {
      Object.assign(h, header);
      delete h.kid;
      p.aud = tokenEndpoint;
      p.exp = Number(p.iat) + ASSERTION_LIFETIME_SECONDS;
    },
  });
}

/** The client secret when the credential is one ('' otherwise), for APIs that only know secrets. */
export function secretOf(cred: EntraClientCredential): string {
  return cred.kind === 'secret' ? cred.secret : '';
}

/** Resolved config secrets, as far as the credential lookup needs them (config/load.ts fills them). */
export interface ResolvedIdpSecrets {
  idpClientSecrets: ReadonlyMap<string, string>;
  idpClientCertificates: ReadonlyMap<string, { certificatePem: string; privateKeyPem: string }>;
}

/** The credential load.ts resolved for an IdP: its certificate when one is configured, else its secret. */
export function credentialFromSecrets(secrets: ResolvedIdpSecrets, idpId: string): EntraClientCredential {
  const cert = secrets.idpClientCertificates.get(idpId);
  if (cert) return { kind: 'certificate', certificatePem: cert.certificatePem, privateKeyPem: cert.privateKeyPem };
  return { kind: 'secret', secret: secrets.idpClientSecrets.get(idpId) ?? '' };
}
