// The commented starter `moatless.yaml` that `moatless init` writes: one Entra ID tenant, one app,
// SQLite. Pure text building; the command validates the result with the real schema before writing.

export interface StarterOptions {
  tenantId: string;
  clientId: string;
  cloud: string;
  authUrl: string;
  appHost: string;
  upstream: string;
}

/** The environment variable the starter reads the client secret from (never written to the file). */
export const SECRET_ENV = 'MOATLESS_ENTRA_CLIENT_SECRET';

/** The listener a starter config uses: the auth URL's own port on loopback for http, 8080 behind TLS. */
function listenerFor(authUrl: string): string {
  const u = new URL(authUrl);
  return u.protocol === 'http:' ? `127.0.0.1:${u.port || '80'}` : '127.0.0.1:8080';
}

const q = (s: string) => JSON.stringify(s);

export function starterConfig(o: StarterOptions): string {
  const appId = o.appHost.split('.')[0]!.replace(/[^a-z0-9_-]/g, '-').replace(/^-+/, '') || 'app';
  return `# moatless.yaml — written by \`moatless init\`. Every key: docs/configuration.md
# Check it with:   moatless config check --config moatless.yaml
# Run it with:     moatless serve --config moatless.yaml

server:
  listeners:
    # Plain HTTP on loopback. In production put a TLS load balancer in front (and list it in
    # trustedProxies), or give this listener tls: { certFile: …, keyFile: … }.
    - address: ${listenerFor(o.authUrl)}
  # The auth host: sign-in, the OIDC callback (\${authUrl}/oauth2/callback) and SCIM (/scim/v2).
  # Register the callback as a Web redirect URI of the Entra app (docs/entra.md).
  authUrl: ${q(o.authUrl)}
  # trustedProxies: [10.0.0.0/8]   # whose X-Forwarded-For / -Proto to believe

identityProviders:
  - id: entra
    type: entra
    # global, usgov (GCC), usgovhigh (GCC High), dod or china (21Vianet)
    cloud: ${o.cloud}
    tenantId: ${o.tenantId}   # Directory (tenant) ID
    clientId: ${o.clientId}   # Application (client) ID
    # Never write the secret here: it is read from the environment (or { file: /path }).
    clientSecret: { env: ${SECRET_ENV} }
    # End sessions when a user's groups change (needs GroupMember.Read.All, User.Read.All).
    reauthOnGroupChange: false

apps:
  - id: ${appId}
    hosts: [${o.appHost}]
    upstream: ${q(o.upstream)}
    # The app receives a signed assertion (moatless-jwt-assertion); for apps that trust a header:
    # identityHeaders: { email: x-remote-user }
    policies:
      # Anyone who signs in through this tenant. Narrow it with groups, e.g. include: [{ group: Staff }],
      # and ask for a Conditional Access step-up with require: [{ authContext: c1 }] (docs/policies.md).
      - name: tenant-users
        action: allow
        include: [{ loginMethod: entra }]

storage:
  # One process, embedded. For several replicas use PostgreSQL:
  # { kind: postgres, url: { env: MOATLESS_DATABASE_URL } } (docs/deploy.md).
  kind: sqlite
  path: data/moatless.db   # relative to this file's folder

logging:
  level: info
  format: auto   # pretty on a terminal, JSON lines otherwise (or json / pretty)
`;
}
