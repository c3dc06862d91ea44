// The port every identity provider adapter implements (generic OIDC, Entra ID, …). The access
// capability drives sign-in through it and never sees protocol details.
import type { SignInResult } from './identity.ts';
import type { LogoutClaims } from './logout-token.ts';

/** What IdP-initiated logout needs from an adapter: the IdP's issuer and a logout_token check. */
export interface IdpLogoutVerifier {
  issuer: string;
  /** Throws LogoutTokenError for a token that must be refused. */
  verify(logoutToken: string): Promise<LogoutClaims>;
}

/** What must survive between the redirect to the IdP and the callback (kept server-side). */
export interface SignInTransaction {
  idp: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  /** Authentication contexts asked for (Entra `acrs`), to check the answer against. */
  acrs: string[];
}

export interface BeginOptions {
  redirectUri: string;
  acrs?: string[];
  /** `login` forces the IdP to re-authenticate (step-up must not ride on the IdP's SSO session). */
  prompt?: 'login' | 'select_account';
  loginHint?: string;
}

export interface IdentityProviderAdapter {
  readonly id: string;
  readonly displayName: string;
  begin(opts: BeginOptions): Promise<{ url: string; tx: SignInTransaction }>;
  /** Validates the callback (state, PKCE, nonce, issuer, audience) and returns the identity. */
  complete(callbackUrl: URL, tx: SignInTransaction, redirectUri: string): Promise<SignInResult>;
  /** Back- and front-channel logout support (OIDC adapters); absent when the IdP cannot end sessions. */
  idpLogout?(): Promise<IdpLogoutVerifier>;
}

/** A sign-in that failed for a reason the user should read (shown on the deny page). */
export class SignInError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SignInError';
    this.code = code;
  }
}
