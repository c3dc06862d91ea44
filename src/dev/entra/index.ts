// Public face of the Entra ID emulator (`moatless dev entra`): a local server that behaves like an
// Entra ID v2.0 tenant plus a Microsoft Graph subset, for demos, tests and offline evaluation.
// Composition root for the emulator only. Must never be started by a production config without
// the loud development warning the CLI prints.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Directory } from './directory.ts';
import { EmulatorError } from './errors.ts';
import { Faults, RequestLog } from './faults.ts';
import { loadFixture, parseFixture, type Fixture, type FixtureInput } from './fixture.ts';
import { createGraphHandler } from './graph-router.ts';
import { createInteractionHandler } from './interactions.ts';
import { createSigningKey, verifyAppToken, type SigningKey } from './keys.ts';
import { createOidcProvider, SignInResults } from './oidc.ts';
import { applyRiskChange, deleteUser, listRisk } from './risk-control.ts';
import { RiskyUsers } from './risky-users.ts';
import { createFrontDoor, graphFaultResponse, readForm, type EmulatorLogger } from './server.ts';

export { loadFixture, parseFixture, Directory, Faults, RequestLog, EmulatorError };
export type { Fixture, FixtureInput, EmulatorLogger };
export type { DirectoryUser, DirectoryGroup, DirectoryObject, NewUser, NewGroup } from './directory.ts';
export type { FaultSpec, Fault, RequestRecord } from './faults.ts';
export { RiskyUsers, type RiskRecord, type RiskLevel as EmulatorRiskLevel } from './risky-users.ts';
export { GraphError } from './errors.ts';

export interface EntraEmulatorOptions {
  /** An already-parsed fixture (validated again here), or … */
  fixture?: Fixture | FixtureInput;
  /** … a YAML fixture file. */
  fixturePath?: string;
  host?: string;
  port?: number;
  /** Base URL clients see, e.g. `https://login.microsoftonline.us`; default: the listen URL. */
  publicBaseUrl?: string;
  /** Graph base clients see, e.g. `https://graph.microsoft.us`; default: the public base URL. */
  graphBaseUrl?: string;
  /** Redirect URIs added to every client (tests listen on random ports). */
  extraRedirectUris?: string[];
  /**
   * Where interactive clients get an OpenID Connect back-channel logout_token when the user signs
   * out at the emulator (Entra itself sends none; generic OIDC providers do). The ID token then
   * carries `sid`. Default: no back-channel logout.
   */
  backchannelLogoutUri?: string;
  /** Sends the emulator's own outgoing requests (back-channel logout); default: oidc-provider's guarded fetch. */
  outboundFetch?: (url: string | URL, init: RequestInit) => Promise<Response>;
  logger?: EmulatorLogger;
  /** Clock for delta tokens (tests move it forward to expire them); default Date.now. */
  now?: () => number;
  /** How long a `/groups/delta` deltaLink stays usable before 410 syncStateNotFound; default 7 days. */
  deltaRetentionMs?: number;
  /** Groups per `/groups/delta` page; default 100. */
  deltaPageSize?: number;
  /** Identity Protection requests per second per tenant (429 without Retry-After above it); default 1, 0 = off. */
  riskRequestsPerSecond?: number;
  /** After `POST /groups`, member adds to the new group fail with 400 for this long; default 0. */
  replicationLagMs?: number;
}

export interface EntraEmulator {
  /** Public base URL (no trailing slash). */
  url: string;
  /** The URL the server actually listens on. */
  listenUrl: string;
  /** `{url}/{tenantId}/v2.0` — the `iss` of every token. */
  issuer: string;
  tenantId: string;
  /** Graph base (no trailing slash); Graph lives at `{graphUrl}/v1.0`. */
  graphUrl: string;
  fixture: Fixture;
  /** The live directory: mutate it to add/remove members, disable users, change device compliance. */
  directory: Directory;
  faults: Faults;
  requests: RequestLog;
  /** Identity Protection: each user's risk; `risky.set(upn, {level: 'high'})` simulates a risky sign-in. */
  risky: RiskyUsers;
  /** The key every token is signed with (published in the JWKS): tests forge tokens the emulator would sign. */
  signingKey: SigningKey;
  /** Deletes a user (memberships go; the riskyUser stays with isDeleted), as Entra does. */
  deleteUser(userRef: string): void;
  /** Requests whose method and path match a glob pattern, e.g. `"POST /v1.0/users/*\/getMemberObjects"`. */
  requestCount(pattern: string): number;
  close(): Promise<void>;
}

/** Parses a base URL option; `path` is its pathname without a trailing slash ('' for the root). */
function normaliseBase(raw: string, option: string): { url: URL; path: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (cause) {
    throw new EmulatorError('invalid_option', `${option} is not a URL: ${raw}`, [], { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new EmulatorError('invalid_option', `${option} must be http(s)`);
  if (url.search || url.hash) throw new EmulatorError('invalid_option', `${option} must not have a query or fragment`);
  return { url, path: url.pathname.replace(/\/+$/, '') };
}

/** Starts the emulator on `host:port` (default 127.0.0.1, a random port). */
export async function startEntraEmulator(options: EntraEmulatorOptions): Promise<EntraEmulator> {
  const fixture = options.fixturePath ? await loadFixture(options.fixturePath) : options.fixture ? parseFixture(options.fixture) : undefined;
  if (!fixture) throw new EmulatorError('invalid_option', 'startEntraEmulator needs fixture or fixturePath');
  const host = options.host ?? '127.0.0.1';
  const directory = Directory.fromFixture(fixture);
  const risky = new RiskyUsers(directory, options.now);
  for (const u of fixture.users) if (u.risk) risky.set(u.id, { level: u.risk.level, ...(u.risk.state ? { state: u.risk.state } : {}) });
  const faults = new Faults();
  const requests = new RequestLog();
  const key = await createSigningKey();
  const signIns = new SignInResults();
  const multiTenantRequests = new WeakSet<IncomingMessage>();

  // Listen first: the default public URL is the listen URL, which needs the bound port.
  let handler: Parameters<typeof createServer>[1] = (_req, res) => { res.statusCode = 503; res.end(); };
  const server = createServer((req, res) => handler?.(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const listenUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  try {
    const { url: base, path: basePath } = normaliseBase(options.publicBaseUrl ?? listenUrl, 'publicBaseUrl');
    if (basePath) throw new EmulatorError('invalid_option', 'publicBaseUrl must not have a path');
    const baseUrl = base.origin;
    const graphBase = normaliseBase(options.graphBaseUrl ?? baseUrl, 'graphBaseUrl');
    const graphUrl = `${graphBase.url.origin}${graphBase.path}`;
    const issuer = `${baseUrl}/${fixture.tenantId}/v2.0`;

    const provider = createOidcProvider({
      fixture, directory, key, baseUrl, graphUrl, signIns,
      extraRedirectUris: options.extraRedirectUris ?? [],
      ...(options.backchannelLogoutUri ? { backchannelLogoutUri: options.backchannelLogoutUri } : {}),
      ...(options.outboundFetch ? { outboundFetch: options.outboundFetch } : {}),
      isMultiTenant: (ctx) => multiTenantRequests.has(ctx.req),
    });
    provider.proxy = true;
    provider.on('server_error', (_ctx, err) => options.logger?.error({ err: err instanceof Error ? err.message : String(err) }, 'oidc-provider server error'));

    const front = createFrontDoor({
      tenantId: fixture.tenantId,
      tenantName: fixture.tenantName,
      baseUrl: base,
      graphPrefix: graphBase.path,
      provider,
      providerCallback: provider.callback(),
      interactions: createInteractionHandler({ provider, fixture, directory, signIns, readForm }),
      graph: createGraphHandler({
        directory, fixture, graphUrl, verify: (authz) => verifyAppToken(key, authz, issuer, graphUrl),
        ...(options.now ? { now: options.now } : {}),
        ...(options.deltaRetentionMs !== undefined ? { deltaRetentionMs: options.deltaRetentionMs } : {}),
        ...(options.deltaPageSize !== undefined ? { deltaPageSize: options.deltaPageSize } : {}),
        risky,
        ...(options.riskRequestsPerSecond !== undefined ? { riskRequestsPerSecond: options.riskRequestsPerSecond } : {}),
        ...(options.replicationLagMs !== undefined ? { replicationLagMs: options.replicationLagMs } : {}),
        innerFault: (method, path) => {
          const fault = faults.take(method, `${graphBase.path}${path}`);
          return fault ? graphFaultResponse(fault) : undefined;
        },
      }),
      risk: { list: () => listRisk(risky), change: (body) => applyRiskChange(directory, risky, body) },
      faults,
      requests,
      multiTenantRequests,
      logger: options.logger,
    });
    handler = front;

    return {
      url: baseUrl, listenUrl, issuer, tenantId: fixture.tenantId, graphUrl, fixture, directory, faults, requests, risky, signingKey: key,
      deleteUser: (ref) => deleteUser(directory, risky, ref),
      requestCount: (pattern) => requests.count(pattern),
      close: () => new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
    };
  } catch (err) {
    server.close();
    throw err;
  }
}
