// Sign-in against any OpenID Connect provider found by discovery: authorization code with PKCE
// (S256), state and nonce, via openid-client. Entra's adapter builds on this one.
import { createRemoteJWKSet, customFetch } from 'jose';
import * as oidc from 'openid-client';
import { verifyLogoutToken } from './logout-token.ts';
import type { Identity, SignInResult } from './identity.ts';
import { normaliseEmail } from './identity.ts';
import { SignInError, type BeginOptions, type IdentityProviderAdapter, type IdpLogoutVerifier, type SignInTransaction } from './provider.ts';

export interface OidcProviderOptions {
  id: string;
  displayName: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
  groupsClaim: string;
  emailClaim: string;
  fetch?: typeof fetch;
  /** Replaces discovery (Entra builds its Configuration from validated metadata, see entra/issuer.ts). */
  discover?: () => Promise<oidc.Configuration>;
}

export type ClaimsToIdentity = (claims: oidc.IDToken, tx: SignInTransaction) => Promise<Identity>;

export class OidcProvider implements IdentityProviderAdapter {
  readonly id: string;
  readonly displayName: string;
  readonly #opts: OidcProviderOptions;
  #config: Promise<oidc.Configuration> | null = null;
  #toIdentity: ClaimsToIdentity;
  /** The IdP's signing keys for logout tokens, fetched on first use and cached by jose (refetched on an unknown kid). */
  #jwks: ReturnType<typeof createRemoteJWKSet> | null = null;

  constructor(opts: OidcProviderOptions, toIdentity?: ClaimsToIdentity) {
    this.id = opts.id;
    this.displayName = opts.displayName;
    this.#opts = opts;
    this.#toIdentity = toIdentity ?? ((c) => Promise.resolve(genericIdentity(c, opts)));
  }

  /** Discovery is lazy and retried after failure, so a down IdP at start-up heals by itself. */
  configuration(): Promise<oidc.Configuration> {
    if (!this.#config) {
      const o = this.#opts;
      const execute = new URL(o.issuer).protocol === 'http:' ? [oidc.allowInsecureRequests] : [];
      const discovered = o.discover ? o.discover() : oidc.discovery(new URL(o.issuer), o.clientId, { client_secret: o.clientSecret }, oidc.ClientSecretPost(o.clientSecret), {
        execute,
        ...(o.fetch ? { [oidc.customFetch]: o.fetch as oidc.CustomFetch } : {}),
        timeout: 10,
      });
      this.#config = discovered.catch((err: unknown) => {
        this.#config = null;
        if (err instanceof SignInError) throw err;
        throw new SignInError('idp_unavailable', `identity provider ${o.id} is unreachable: ${(err as Error).message}`, { cause: err });
      });
    }
    return this.#config;
  }

  async begin(opts: BeginOptions): Promise<{ url: string; tx: SignInTransaction }> {
    const config = await this.configuration();
    const tx: SignInTransaction = { idp: this.id, state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier(), acrs: opts.acrs ?? [] };
    const params: Record<string, string> = {
      redirect_uri: opts.redirectUri,
      scope: this.#opts.scopes.join(' '),
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(tx.codeVerifier),
      code_challenge_method: 'S256',
      state: tx.state,
      nonce: tx.nonce,
    };
    if (opts.prompt) params['prompt'] = opts.prompt;
    if (opts.loginHint) params['login_hint'] = opts.loginHint;
    if (tx.acrs.length > 0) params['claims'] = JSON.stringify(acrsClaimsRequest(tx.acrs));
    return { url: oidc.buildAuthorizationUrl(config, params).href, tx };
  }

  async complete(callbackUrl: URL, tx: SignInTransaction, redirectUri: string): Promise<SignInResult> {
    const error = callbackUrl.searchParams.get('error');
    if (error) {
      const description = callbackUrl.searchParams.get('error_description') ?? '';
      throw new SignInError(`idp_${error}`, `the identity provider refused the sign-in: ${error}${description ? ` — ${description.split('\n')[0]}` : ''}`);
    }
    const config = await this.configuration();
    let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
    try {
      tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: tx.codeVerifier, expectedState: tx.state, expectedNonce: tx.nonce, idTokenExpected: true,
      }, { redirect_uri: redirectUri });
    } catch (err) {
      throw new SignInError('token_invalid', `the sign-in response could not be verified: ${(err as Error).message}`, { cause: err });
    }
    const claims = tokens.claims();
    if (!claims) throw new SignInError('token_invalid', 'no ID token in the token response');
    const identity = await this.#toIdentity(claims, tx);
    const sid = typeof claims['sid'] === 'string' && claims['sid'] !== '' ? claims['sid'] : undefined;
    return { identity, authTime: typeof claims.auth_time === 'number' ? claims.auth_time : undefined, idpSession: { sub: claims.sub, ...(sid ? { sid } : {}) } };
  }

  async idpLogout(): Promise<IdpLogoutVerifier> {
    const meta = (await this.configuration()).serverMetadata();
    if (!meta.jwks_uri) throw new SignInError('idp_unavailable', `identity provider ${this.id} publishes no jwks_uri`);
    const fetchImpl = this.#opts.fetch;
    this.#jwks ??= createRemoteJWKSet(new URL(meta.jwks_uri), { timeoutDuration: 10_000, ...(fetchImpl ? { [customFetch]: fetchImpl } : {}) });
    const keys = this.#jwks;
    const want = { issuer: meta.issuer, audience: this.#opts.clientId, keys };
    return { issuer: meta.issuer, verify: (token) => verifyLogoutToken(token, want) };
  }
}

/** OIDC Core §5.5: ask for `acrs` as an essential claim in both tokens (Entra honours the access token form). */
export function acrsClaimsRequest(acrs: string[]): Record<string, unknown> {
  const want = acrs.length === 1 ? { essential: true, value: acrs[0] } : { essential: true, values: acrs };
  return { id_token: { acrs: want }, access_token: { acrs: want } };
}

function strings(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' ? [v] : [];
}

export function genericIdentity(c: oidc.IDToken, o: Pick<OidcProviderOptions, 'id' | 'emailClaim' | 'groupsClaim'>): Identity {
  const email = c[o.emailClaim];
  if (typeof email !== 'string' || email === '') throw new SignInError('no_email', `the identity provider sent no "${o.emailClaim}" claim`);
  const groups = strings(c[o.groupsClaim]);
  return {
    userKey: `${c.iss}|${c.sub}`,
    email: normaliseEmail(email),
    name: typeof c['name'] === 'string' ? c['name'] : undefined,
    idp: o.id,
    groups,
    groupNames: groups,
    amr: strings(c.amr),
    acrs: [...strings(c['acrs']), ...strings(c.acr)],
    claims: publicClaims(c),
  };
}

const DROP = new Set(['nonce', 'at_hash', 'c_hash', 'aud', 'azp', 'iat', 'exp', 'nbf', 'auth_time', 'sid', 'uti', 'rh', '_claim_names', '_claim_sources']);

/** Claims kept for policies and the identity endpoint; protocol noise is dropped. */
export function publicClaims(c: oidc.IDToken): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) if (!DROP.has(k)) out[k] = v;
  return out;
}
