// Configures oidc-provider as an Entra ID v2.0 tenant: Entra paths, static clients from the
// fixture, pairwise `sub`, Entra-shaped claims, PKCE, the sign-in policy that re-runs Conditional
// Access on every `acrs` request, Entra error bodies at the token endpoint, and the app-only
// client-credentials grant for Graph. Must not render pages or route HTTP (interactions.ts and
// server.ts do).
import { memoryAdapterFactory } from './memory-adapter.ts';
import { createHash, randomBytes } from 'node:crypto';
import Provider, { interactionPolicy, type Account, type KoaContext, type TokenLike } from 'oidc-provider';
import { decodeProtectedHeader } from 'jose';
import { requestedContexts } from './ca-policy.ts';
import { certificateJwk, clientAuthFailure, entraAssertionChecks } from './client-assertions.ts';
import { accountClaims } from './claims.ts';
import type { Directory } from './directory.ts';
import type { Fixture } from './fixture.ts';
import { signAppToken, type SigningKey } from './keys.ts';
import { errorPage } from './pages.ts';
import { entraTokenError } from './token-errors.ts';

/** Authentication contexts satisfied in one sign-in, keyed by the grant that sign-in created. */
export class SignInResults {
  readonly #byGrant = new Map<string, readonly string[]>();

  set(grantId: string, acrs: readonly string[]): void {
    // Bounded: a long-running demo must not grow without limit (oldest entries go first).
    if (this.#byGrant.size >= 10_000) this.#byGrant.delete(this.#byGrant.keys().next().value ?? '');
    this.#byGrant.set(grantId, [...acrs]);
  }

  get(grantId: string | undefined): readonly string[] {
    return (grantId && this.#byGrant.get(grantId)) || [];
  }
}

export interface OidcDeps {
  fixture: Fixture;
  directory: Directory;
  key: SigningKey;
  /** Public base URL without trailing slash, e.g. `https://login.microsoftonline.us`. */
  baseUrl: string;
  graphUrl: string;
  extraRedirectUris: readonly string[];
  /** Sent a logout_token (with sid) for every interactive client when a user signs out here. */
  backchannelLogoutUri?: string;
  outboundFetch?: (url: string | URL, init: RequestInit) => Promise<Response>;
  signIns: SignInResults;
  /** Requests arriving on `/common` or `/organizations` (their discovery uses the `{tenantid}` template). */
  isMultiTenant: (ctx: KoaContext) => boolean;
}

export const APP_TOKEN_LIFETIME = 3599;

/** Object id of the app's service principal: stable per tenant and client, GUID-shaped. */
export function servicePrincipalId(tenantId: string, clientId: string): string {
  const h = createHash('sha256').update(`sp:${tenantId}:${clientId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function signInPolicy(directory: Directory) {
  const policy = interactionPolicy.base();
  const login = policy.get('login');
  if (!login) throw new Error('oidc-provider policy has no login prompt');
  // A step-up (`claims` asks for acrs) always re-runs the CA check, even with an SSO session.
  login.checks.push(new interactionPolicy.Check('acrs_requested', 'authentication context requested', (ctx) =>
    requestedContexts(ctx.oidc.claims).length > 0 && !ctx.oidc.result?.login));
  // A user disabled since their last sign-in must not be signed in silently (AADSTS50057).
  login.checks.push(new interactionPolicy.Check('account_disabled', 'the user account is disabled', (ctx) => {
    const accountId = ctx.oidc.session?.accountId;
    return accountId !== undefined && directory.user(accountId)?.accountEnabled !== true;
  }));
  return policy;
}

export function createOidcProvider(deps: OidcDeps): Provider {
  const { fixture, directory, baseUrl, graphUrl, signIns } = deps;
  const tenantId = fixture.tenantId;
  const issuer = `${baseUrl}/${tenantId}/v2.0`;
  const pairwiseSalt = randomBytes(16).toString('hex');

  const findAccount = async (_ctx: KoaContext, accountId: string, token?: TokenLike): Promise<Account | undefined> => {
    const user = directory.user(accountId);
    if (!user) return undefined;
    return {
      accountId: user.id,
      claims: (_use, _scope, claims) => {
        const clientId = (_ctx.oidc.client?.clientId ?? '').toLowerCase();
        const client = fixture.clients.find((c) => c.clientId.toLowerCase() === clientId) ?? { groupMembershipClaims: 'None' as const };
        const asked = new Set(requestedContexts({ id_token: claims }));
        const acrs = signIns.get(token?.grantId).filter((c) => asked.has(c));
        return { sub: user.id, ...accountClaims({ directory, user, client, tenantId, graphUrl, overageThreshold: fixture.overageThreshold, acrs }) };
      },
    };
  };

  const tokenUrl = `${baseUrl}/${tenantId}/oauth2/v2.0/token`;
  const certJwks = new Map(fixture.clients.map((c) => [c.clientId, c.certificates.map(certificateJwk)]));
  const thumbprints = new Map([...certJwks].map(([id, keys]) => [id, new Set(keys.flatMap((k) => [k.x5t, k['x5t#S256']]))]));
  // Why a client authentication failed, from oidc-provider's error event (the body says only "invalid_client").
  const clientAuthErrors = new WeakMap<object, string>();

  const provider = new Provider(issuer, {
    adapter: memoryAdapterFactory(),
    clients: fixture.clients.map((c) => {
      const redirects = [...new Set([...c.redirectUris, ...deps.extraRedirectUris])];
      // A client with no redirect URI is a daemon app: client credentials only.
      const interactive = redirects.length > 0;
      const keys = certJwks.get(c.clientId) ?? [];
      // A certificate client authenticates with a signed assertion (private_key_jwt), never a secret.
      const auth = keys.length > 0
        ? { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys } }
        : { token_endpoint_auth_method: 'client_secret_post', client_secret: c.clientSecret };
      return {
      client_id: c.clientId,
      ...auth,
      client_name: c.displayName ?? 'Moatless',
      redirect_uris: redirects,
      post_logout_redirect_uris: [...new Set(redirects.map((u) => `${new URL(u).origin}/`))],
      ...(interactive && deps.backchannelLogoutUri ? { backchannel_logout_uri: deps.backchannelLogoutUri, backchannel_logout_session_required: true } : {}),
      grant_types: interactive ? ['authorization_code', 'refresh_token', 'client_credentials'] : ['client_credentials'],
      response_types: interactive ? ['code'] : [],
      subject_type: 'pairwise',
      // Never fetched (sectorIdentifierUriValidate is off); it only names the pairwise sector.
      sector_identifier_uri: `https://pairwise-sector.invalid/${tenantId}/${c.clientId}`,
      };
    }),
    jwks: { keys: [deps.key.privateJwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    routes: {
      authorization: '/oauth2/v2.0/authorize',
      token: '/oauth2/v2.0/token',
      jwks: '/discovery/v2.0/keys',
      end_session: '/oauth2/v2.0/logout',
      userinfo: '/oidc/userinfo',
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      claimsParameter: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      backchannelLogout: { enabled: true },
    },
    ...(deps.outboundFetch ? { fetch: deps.outboundFetch } : {}),
    clientAuthMethods: ['client_secret_post', 'client_secret_basic', 'private_key_jwt'],
    // Entra signs certificate assertions with RS256 or PS256 only.
    clientAuthSigningAlgValues: ['RS256', 'PS256'],
    assertJwtClientAuthClaimsAndHeader: entraAssertionChecks(tokenUrl, (id) => thumbprints.get(id) ?? new Set()),
    responseTypes: ['code'],
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    claims: {
      // `amr` rides on the openid scope so it is always in the ID token, as Entra sends it.
      openid: ['sub', 'oid', 'tid', 'ver', 'groups', 'amr'],
      sid: null,
      auth_time: null,
      iss: null,
      profile: ['name', 'preferred_username'],
      email: ['email'],
      acrs: null,
    },
    // Entra puts profile claims in the ID token even in the code flow.
    conformIdTokenClaims: false,
    subjectTypes: ['pairwise'],
    sectorIdentifierUriValidate: () => false,
    // Entra's `sub` is a pairwise, base64url value per user and app.
    pairwiseIdentifier: async (_ctx: KoaContext, accountId: string, client: { clientId: string }) =>
      createHash('sha256').update(`${pairwiseSalt}:${accountId}:${client.clientId}`).digest('base64url'),
    findAccount,
    interactions: {
      url: (_ctx: KoaContext, interaction: { uid: string }) => `/${tenantId}/interaction/${interaction.uid}`,
      policy: signInPolicy(directory),
    },
    // Admin consent is implied for the fixture's apps: grants always cover what was requested.
    loadExistingGrant: async (ctx: KoaContext) => {
      const accountId = ctx.oidc.session?.accountId;
      const clientId = ctx.oidc.client?.clientId;
      if (!accountId || !clientId) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(clientId);
      const grant = (grantId && (await provider.Grant.find(grantId))) || new provider.Grant({ accountId, clientId });
      grant.addOIDCScope([...ctx.oidc.requestParamOIDCScopes].join(' '));
      grant.addOIDCClaims([...ctx.oidc.requestParamClaims]);
      await grant.save();
      return grant;
    },
    ttl: { AccessToken: APP_TOKEN_LIFETIME, IdToken: 3600, AuthorizationCode: 600, Interaction: 900, Session: 86400, Grant: 86400, RefreshToken: 86400, ClientCredentials: APP_TOKEN_LIFETIME },
    renderError: async (ctx: KoaContext, out: { error: string; error_description?: string }) => {
      ctx.type = 'html';
      ctx.body = errorPage({ title: 'Sorry, but we’re having trouble signing you in.', description: `${out.error}: ${out.error_description ?? ''}` });
    },
  });

  // Client credentials for Graph: Entra's `scope={resource}/.default` form, which oidc-provider's
  // resource-indicator model does not speak, so this grant is handled here (client auth is still
  // oidc-provider's).
  provider.registerGrantType('client_credentials', async (ctx) => {
    const scope = typeof ctx.oidc.params?.scope === 'string' ? ctx.oidc.params.scope : '';
    if (scope !== `${graphUrl}/.default`) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_scope', error_description: `scope must be ${graphUrl}/.default` };
      return;
    }
    const clientId = ctx.oidc.client?.clientId ?? '';
    const client = fixture.clients.find((c) => c.clientId === clientId);
    const accessToken = await signAppToken(deps.key, {
      issuer, audience: graphUrl, tenantId, clientId, servicePrincipalId: servicePrincipalId(tenantId, clientId),
      roles: client?.graphRoles ?? [], lifetimeSeconds: APP_TOKEN_LIFETIME,
    });
    ctx.body = { token_type: 'Bearer', expires_in: APP_TOKEN_LIFETIME, ext_expires_in: APP_TOKEN_LIFETIME, access_token: accessToken };
  }, ['scope']);

  provider.on('grant.error', (ctx, err) => {
    if (typeof ctx === 'object' && ctx !== null && err instanceof Error && 'error_detail' in err && typeof err.error_detail === 'string') clientAuthErrors.set(ctx, err.error_detail);
  });

  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body;
    if (ctx.path === '/oauth2/v2.0/token' && typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'string') {
      const description = 'error_description' in body && typeof body.error_description === 'string' ? body.error_description : undefined;
      ctx.body = body.error === 'invalid_client' ? clientAuthError(ctx, clientAuthErrors.get(ctx) ?? '') : entraTokenError(body.error, description, baseUrl);
      // Entra answers a failed client authentication with 401 (reference §2.9).
      if (body.error === 'invalid_client') ctx.status = 401;
    }
    if (ctx.path === '/.well-known/openid-configuration' && deps.isMultiTenant(ctx) && typeof body === 'object' && body !== null) {
      // Multi-tenant metadata names a template issuer; tokens carry the concrete tenant issuer.
      ctx.body = { ...body, issuer: `${baseUrl}/{tenantid}/v2.0` };
    }
  });
  /** Entra's answer to a failed client authentication, naming the assertion's thumbprint as Entra does. */
  function clientAuthError(ctx: KoaContext, detail: string) {
    const assertion = ctx.oidc.params?.['client_assertion'];
    const known = clientAuthFailure(detail, typeof assertion === 'string');
    let x5t: unknown;
    try {
      x5t = typeof assertion === 'string' ? decodeProtectedHeader(assertion).x5t : undefined;
    } catch {
      x5t = undefined;
    }
    const text = known.code === 700027 && typeof x5t === 'string' ? known.text.replace(/\]$/, `, Thumbprint of key used by client: '${Buffer.from(x5t, 'base64url').toString('hex').toUpperCase()}']`) : known.text;
    return entraTokenError('invalid_client', undefined, baseUrl, { code: known.code, text });
  }

  return provider;
}
