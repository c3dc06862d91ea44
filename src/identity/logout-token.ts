// OpenID Connect Back-Channel Logout 1.0 §2.6: validating a `logout_token` an IdP posts to end its
// sessions. Owns: the token checks (signature by the IdP's JWKS, iss, aud, iat, exp, events, sub
// and/or sid, no nonce, explicit typing). Must not: look up or end sessions, or remember jti
// (replay protection needs the shared store; idp-logout.ts does both).
import { errors, jwtVerify, type JWTVerifyGetKey } from 'jose';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** A logout_token older than this (by `iat`) is refused even before its `exp`: it should be sent at once. */
export const LOGOUT_TOKEN_MAX_AGE_S = 300;

export interface LogoutClaims {
  iss: string;
  jti: string;
  /** Seconds since epoch until which the jti must be remembered: after it the token is refused as too old anyway. */
  rememberUntil: number;
  sid?: string;
  sub?: string;
}

/** Why a logout_token was refused; the message is safe to return to the IdP (never echoes the token). */
export class LogoutTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogoutTokenError';
  }
}

export interface LogoutTokenExpectations {
  issuer: string;
  /** Our client id at the IdP. */
  audience: string;
  keys: JWTVerifyGetKey;
  /** Seconds of clock skew allowed for iat/exp; default 60. */
  clockToleranceS?: number;
  now?: () => number;
}

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v !== '';

export async function verifyLogoutToken(token: string, want: LogoutTokenExpectations): Promise<LogoutClaims> {
  let payload: Record<string, unknown>;
  let typ: string | undefined;
  try {
    const r = await jwtVerify(token, want.keys, {
      issuer: want.issuer, audience: want.audience, requiredClaims: ['iat', 'jti'], maxTokenAge: LOGOUT_TOKEN_MAX_AGE_S,
      clockTolerance: want.clockToleranceS ?? 60,
      // Asymmetric signatures only: the IdP's keys are public, an HMAC "signature" would prove nothing.
      algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'],
      ...(want.now ? { currentDate: new Date(want.now()) } : {}),
    });
    payload = r.payload as Record<string, unknown>;
    typ = r.protectedHeader.typ;
  } catch (err) {
    if (err instanceof errors.JOSEError) throw new LogoutTokenError(`the logout_token is invalid: ${err.code}${err instanceof errors.JWTClaimValidationFailed ? ` (${err.claim})` : ''}`);
    throw err;
  }
  // §2.4 explicit typing: an ID token or access token (typ JWT / at+jwt) must not pass as a logout token.
  if (typ !== undefined && typ.toLowerCase() !== 'logout+jwt' && typ.toLowerCase() !== 'application/logout+jwt' && typ !== 'JWT') {
    throw new LogoutTokenError(`the logout_token has typ "${typ}"`);
  }
  const events = payload['events'];
  if (typeof events !== 'object' || events === null || Array.isArray(events)) throw new LogoutTokenError('the logout_token has no events claim');
  const event = (events as Record<string, unknown>)[BACKCHANNEL_LOGOUT_EVENT];
  if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new LogoutTokenError('the logout_token\'s events claim lacks the back-channel logout event');
  if ('nonce' in payload) throw new LogoutTokenError('a logout_token must not contain a nonce');
  const sid = payload['sid'];
  const sub = payload['sub'];
  if (sid !== undefined && !nonEmpty(sid)) throw new LogoutTokenError('the logout_token\'s sid is not a string');
  if (sub !== undefined && !nonEmpty(sub)) throw new LogoutTokenError('the logout_token\'s sub is not a string');
  if (sid === undefined && sub === undefined) throw new LogoutTokenError('the logout_token names neither sid nor sub');
  const jti = payload['jti'];
  if (!nonEmpty(jti)) throw new LogoutTokenError('the logout_token\'s jti is not a string');
  const rememberUntil = (payload['iat'] as number) + LOGOUT_TOKEN_MAX_AGE_S + (want.clockToleranceS ?? 60);
  return { iss: want.issuer, jti, rememberUntil, ...(sid !== undefined ? { sid } : {}), ...(sub !== undefined ? { sub } : {}) };
}
