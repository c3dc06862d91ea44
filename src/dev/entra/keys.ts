// The emulator's signing key and the app-only (client-credentials) access tokens it issues for its
// Graph subset. One RS256 key with a `kid`, shared with oidc-provider so every token verifies
// against the published JWKS. Must not persist keys: every start is a fresh tenant key.
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK } from 'jose';
import { GraphError } from './errors.ts';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

export interface SigningKey {
  kid: string;
  privateJwk: JWK;
  privateKey: KeyPair['privateKey'];
  publicKey: KeyPair['publicKey'];
}

export async function createSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const kid = randomUUID().replaceAll('-', '').slice(0, 27);
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateJwk, privateKey, publicKey };
}

export interface AppTokenInput {
  issuer: string;
  audience: string;
  tenantId: string;
  clientId: string;
  /** Stable object id of the app's service principal in this tenant. */
  servicePrincipalId: string;
  roles: readonly string[];
  lifetimeSeconds: number;
}

/** An app-only access token shaped like Entra's (access-token-claims-reference): roles, idtyp=app. */
export async function signAppToken(key: SigningKey, t: AppTokenInput): Promise<string> {
  return new SignJWT({
    tid: t.tenantId,
    oid: t.servicePrincipalId,
    azp: t.clientId,
    appid: t.clientId,
    roles: [...t.roles],
    idtyp: 'app',
    ver: '2.0',
    uti: randomUUID().replaceAll('-', ''),
  })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .setIssuer(t.issuer)
    .setAudience(t.audience)
    .setSubject(t.servicePrincipalId)
    .setIssuedAt()
    .setNotBefore('0s')
    .setExpirationTime(`${t.lifetimeSeconds}s`)
    .sign(key.privateKey);
}

export interface VerifiedAppToken {
  clientId: string;
  roles: string[];
}

/** Verifies a Graph bearer token issued by this emulator; throws GraphError 401 otherwise. */
export async function verifyAppToken(key: SigningKey, authorization: string | undefined, issuer: string, audience: string): Promise<VerifiedAppToken> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match?.[1]) throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
  try {
    const { payload } = await jwtVerify(match[1], key.publicKey, { issuer, audience, algorithms: ['RS256'] });
    const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
    return { clientId: typeof payload.azp === 'string' ? payload.azp : '', roles };
  } catch (cause) {
    const expired = cause instanceof Error && 'code' in cause && cause.code === 'ERR_JWT_EXPIRED';
    throw new GraphError(401, 'InvalidAuthenticationToken', expired ? 'Lifetime validation failed, the token is expired.' : 'Access token validation failure. Invalid audience, issuer or signature.');
  }
}
