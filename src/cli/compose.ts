// The composition root of `moatless serve`: config → store → adapters → services → listeners.
// The only place that wires capabilities together; tests boot the real server through it too.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { AccessLog } from '../access/access-log.ts';
import { threadedAccessLogStore } from '../access/access-log-thread.ts';
import { ConnectionRegistry } from '../access/connections.ts';
import type { AccessContext, AuthHostMount, DirectoryFactsSource } from '../access/context.ts';
import { buildRuntime, type AccessRuntime } from '../access/runtime.ts';
import { AccessServer, type RunningListener } from '../access/server.ts';
import { SigningKeys } from '../access/signing-keys.ts';
import { UpstreamPools } from '../access/upstream.ts';
import { routingDialer, tcpDialer } from '../access/dialer.ts';
import { RelayVerifier, TunnelHub, TunnelRelay, tunnelMount } from '../tunnel/index.ts';
import { loadConfigFile, type ResolvedConfig } from '../config/load.ts';
import { formatIssues } from '../config/issues.ts';
import { processEnv } from '../config/env.ts';
import { createEntraProvider, credentialFromSecrets } from '../identity/entra/index.ts';
import { GraphGroupSyncs } from './graph-group-syncs.ts';
import { createGroupChangeHook } from '../identity/group-change.ts';
import { OidcProvider } from '../identity/oidc-provider.ts';
import type { IdentityProviderAdapter } from '../identity/provider.ts';
import { SessionService } from '../identity/sessions.ts';
import { buildRiskScheduler } from '../risk/index.ts';
import { createLogger } from './logger.ts';
import { openStore } from '../store/open-store.ts';
import { ConfigLayers, ConfigWrites, createOperate, MeteredAccessLog, type Metrics } from '../admin/index.ts';
import { startGatewayFor, type GatewayOptions, type RunningGateway } from '../gateway/compose-gateway.ts';
import type { Store } from '../store/ports.ts';

export interface MoatlessProcess {
  config(): ResolvedConfig;
  store: Store;
  sessions: SessionService;
  server: AccessServer;
  listeners: readonly RunningListener[];
  /** The secure web gateway, when the config has a `gateway:` section. */
  gateway: RunningGateway | null;
  logger: Logger;
  /** The process's Prometheus figures (a cluster worker points `instance` at the whole cluster). */
  metrics: Metrics;
  /** Re-reads the config file; keeps the running config when the new one is invalid. */
  reload(): Promise<{ ok: boolean; issues?: string }>;
  close(): Promise<void>;
}

/** What later capabilities' mounts are built from; the gateway starts after them, hence a getter. */
export interface MountDeps {
  store: Store; sessions: SessionService; logger: Logger; config: () => ResolvedConfig;
  directoryFacts?: DirectoryFactsSource | undefined;
  gateway(): RunningGateway | null;
}

export interface ComposeOptions {
  logger?: Logger;
  /** Outbound fetch for identity providers (tests route national-cloud hosts to an emulator). */
  idpFetch?: typeof fetch;
  watchConfig?: boolean;
  now?: () => number;
  /** Extra auth-host mounts added by later capabilities (SCIM, admin). */
  mounts?: (deps: MountDeps) => AuthHostMount[];
  directoryFacts?: (deps: { store: Store }) => DirectoryFactsSource;
  /** false: write access-log rows on the main thread even on SQLite. */
  accessLogThread?: boolean;
  /** Wraps the opened store before anything uses it (cluster workers relay its change feed). */
  wrapStore?: (store: Store, logger: Logger) => Store;
  /**
   * false: do not poll Microsoft Graph for group changes (`groupChangePolling`). Cluster mode sets
   * it on one worker only, so a tenant is polled once, not once per worker. Default true.
   */
  pollGraph?: boolean;
  /** Gateway test seams (resolver, dialer). */
  gateway?: GatewayOptions;
  /**
   * false: the proxy path records no request metrics (the metrics-off baseline of `npm run
   * bench:admin`, which measures what metering costs). Default true.
   */
  requestMetrics?: boolean;
}

export function buildIdentityProviders(cfg: ResolvedConfig, idpFetch?: typeof fetch, logger?: Logger): Map<string, IdentityProviderAdapter> {
  const idps = new Map<string, IdentityProviderAdapter>();
  for (const p of cfg.identityProviders) {
    const secret = cfg.secrets.idpClientSecrets.get(p.id) ?? '';
    const fetchOpt = idpFetch ? { fetch: idpFetch } : {};
    if (p.type === 'entra') idps.set(p.id, createEntraProvider(p, credentialFromSecrets(cfg.secrets, p.id), { ...fetchOpt, ...(logger ? { logger } : {}) }));
    else idps.set(p.id, new OidcProvider({ id: p.id, displayName: p.displayName ?? p.id, issuer: p.issuer, clientId: p.clientId, clientSecret: secret, scopes: p.scopes, groupsClaim: p.groupsClaim, emailClaim: p.emailClaim, ...fetchOpt }));
  }
  return idps;
}

/** Whether two configs define the same identity providers with the same credentials. */
function sameIdentityProviders(a: ResolvedConfig, b: ResolvedConfig): boolean {
  const facts = (c: ResolvedConfig) => JSON.stringify([c.identityProviders, [...c.secrets.idpClientSecrets], [...c.secrets.idpClientCertificates]]);
  return facts(a) === facts(b);
}

export function storeConfigOf(cfg: ResolvedConfig): Parameters<typeof openStore>[0] {
  if (cfg.storage.kind === 'sqlite') return { kind: 'sqlite', path: resolve(cfg.baseDir, cfg.storage.path) };
  const pg = cfg.storage;
  return {
    kind: 'postgres', url: cfg.secrets.storageUrl ?? '', ...(pg.schema ? { schema: pg.schema } : {}), poolSize: pg.poolSize,
    queryTimeoutMs: pg.queryTimeout, feed: { heartbeatMs: pg.feedHeartbeat, deadlineMs: pg.feedDeadline },
  };
}

export async function startMoatless(initial: ResolvedConfig, opts: ComposeOptions = {}): Promise<MoatlessProcess> {
  const logger = opts.logger ?? createLogger(initial);
  const now = opts.now ?? Date.now;
  const opened = await openStore(storeConfigOf(initial), { logger });
  const store = opts.wrapStore ? opts.wrapStore(opened, logger) : opened;
  const sessions = new SessionService({ store, now, cacheTtlMs: initial.sessions.cacheTtl });
  const keys = new SigningKeys(store.keys, { now, rotateEveryMs: initial.keys.rotateEvery, overlapMs: initial.keys.overlap });
  await keys.refresh();
  let config = initial;
  let runtime: AccessRuntime = buildRuntime(initial, buildIdentityProviders(initial, opts.idpFetch, logger));
  const storeConfig = storeConfigOf(initial);
  // On SQLite, access- and gateway-log rows are written from a thread (access-log-thread.ts); PostgreSQL is async already.
  const logThread = storeConfig.kind === 'sqlite' && opts.accessLogThread !== false ? threadedAccessLogStore(storeConfig, store, logger) : null;
  // Apps, policies and rule groups created through the admin API are served with the file's, on
  // every replica: rebuilt whenever the change feed announces a write (src/admin/config-objects).
  // Graph group-change polling: started once the listeners are up, then kept in step with every
  // config the layers or a reload apply (API identity providers included), on every replica.
  const groupSyncs = opts.pollGraph === false ? null
    : new GraphGroupSyncs({ sessions, store, logger, config: () => config, ...(opts.idpFetch ? { idpFetch: opts.idpFetch } : {}) });
  const layers = new ConfigLayers({
    store, logger, env: processEnv(), current: () => config,
    apply: (next) => {
      // Identity providers created or changed through the API need new adapters; otherwise the
      // current ones (with their discovery and key caches) are kept.
      const idps = sameIdentityProviders(config, next) ? runtime.idps : buildIdentityProviders(next, opts.idpFetch, logger);
      const rt = buildRuntime(next, idps);
      config = next;
      runtime = rt;
      void groupSyncs?.update(next);
    },
  });
  await layers.refresh();
  layers.start();
  const configWrites = new ConfigWrites({ store, layers, config: () => config, now });
  // Operate (src/admin): health probes, /metrics, the admin API, the app launcher.
  const operate = createOperate({
    store, sessions, logger, now, runtime: () => runtime, configWrites, notServed: () => layers.notServed, ...(opts.idpFetch ? { idpFetch: opts.idpFetch } : {}),
  });
  const logStore = logThread?.store ?? store.accessLog;
  const logLines = initial.logging.accessLog ? logger : null;
  const accessLog = opts.requestMetrics === false ? new AccessLog(logStore, logLines) : new MeteredAccessLog(operate.metrics.requests, logStore, logLines);
  operate.metrics.accessLogDrops = () => accessLog.dropped;
  let gatewayRef: RunningGateway | null = null;
  const directoryFacts = opts.directoryFacts?.({ store });
  // Tunnels (src/tunnel): connectors dial in on the auth host; `tunnel:<name>` upstreams dial out through them.
  // With tunnel.relay, a replica without a connection of the tunnel relays to one that has one.
  const relayCfg = initial.tunnel.relay;
  const relaySecret = initial.secrets.tunnelRelaySecret ?? null;
  const tunnels = new TunnelHub({ store, logger, now, relayUrl: relayCfg && relaySecret ? relayCfg.url : null });
  const relay = relayCfg && relaySecret
    ? new TunnelRelay({ hub: tunnels, store, logger, now, secret: relaySecret, authHost: new URL(initial.server.authUrl).host })
    : null;
  const dialer = routingDialer(tcpDialer(), (name, timeoutMs) => (relay ?? tunnels).dial(name, timeoutMs));
  const tunnelDoor = tunnelMount({ hub: tunnels, store, logger, now, jwks: () => keys.jwksJson,
    relay: relay && relaySecret ? { verifier: new RelayVerifier(relaySecret), client: relay } : null });
  const deps: MountDeps = { store, sessions, logger, config: () => config, directoryFacts, gateway: () => gatewayRef };
  const ctx: AccessContext = {
    runtime: () => runtime, store, sessions, keys, accessLog, logger, now,
    upstreams: new UpstreamPools({ connectMs: initial.server.timeouts.upstreamConnect, headersMs: initial.server.timeouts.upstreamHeaders, bodyMs: initial.server.timeouts.upstreamBody }, dialer),
    connections: new ConnectionRegistry(),
    mounts: operate.mounts([...(opts.mounts ? opts.mounts(deps) : []), tunnelDoor], directoryFacts),
    probes: operate.probes,
    gatewayLog: () => gatewayRef?.log ?? null,
    ...(directoryFacts ? { directoryFacts } : {}),
  };
  const server = new AccessServer(ctx);
  // Everything opened so far, released in order; also when a listener cannot bind (port in use).
  const release = async () => {
    await server.close(config.server.shutdownGrace);
    await accessLog.close();
    await logThread?.close();
    for (const mount of ctx.mounts) await mount.close?.();
    await ctx.upstreams.close();
    sessions.close();
    await store.close();
    if (!opts.logger) logger.flush();
  };
  const listeners = await server.listen().catch(async (err: unknown) => {
    await release();
    throw err;
  });
  // A gateway that cannot start (its port in use) releases what is open so far, as a listener does.
  const gateway = await startGatewayFor({
    config: () => config, store, sessions, logger, now, listeners, ...ctx.directoryFacts ? { directoryFacts: ctx.directoryFacts } : {},
    ...logThread ? { logStore: logThread.gatewayLog } : {}, ...opts.gateway,
  }).catch(async (err: unknown) => {
    await release();
    throw err;
  });
  gatewayRef = gateway;
  if (gateway) ctx.mounts.push(...gateway.mounts);

  const timers = [
    setInterval(() => void keys.refresh().catch((err: unknown) => logger.error({ err }, 'signing key refresh failed')), 60 * 60_000),
    setInterval(() => void purge(), 10 * 60_000),
  ];
  for (const t of timers) t.unref();
  void groupSyncs?.start(config);
  // Risk sync (src/risk/): every replica ticks; a lease in the store lets one of them run cycles.
  const riskScheduler = opts.pollGraph === false ? null : buildRiskScheduler(initial, {
    store, sessions, log: logger, groupChange: createGroupChangeHook({ sessions, idpConfigs: () => config.identityProviders }), ...(opts.idpFetch ? { fetch: opts.idpFetch } : {}),
  });
  riskScheduler?.start();
  async function purge(): Promise<void> {
    try {
      const t = now();
      await store.sessions.purgeExpired(t - 86_400_000);
      await store.accessLog.purgeBefore(t - config.logging.retention);
      await store.gateway.log.purgeBefore(t - config.logging.retention);
      await store.directory.provisioningLog.purgeBefore(t - config.logging.retention);
    } catch (err) {
      logger.error({ err }, 'retention purge failed');
    }
  }

  async function reload(): Promise<{ ok: boolean; issues?: string }> {
    if (!config.sourcePath) return { ok: false, issues: 'no config file to reload' };
    const r = loadConfigFile(config.sourcePath, { env: processEnv() });
    if (!r.ok) {
      const issues = formatIssues(r.issues);
      logger.error({ issues: r.issues }, 'config reload rejected; still serving the previous config');
      return { ok: false, issues };
    }
    try {
      // The new file with the API's objects on top (those that no longer fit are logged and left out).
      const layered = layers.check(await store.admin.configObjects.list(), r.config);
      layers.noteNotServed(layered.rejected);
      const full = layered.ok ? layered.config : r.config;
      // Build everything first, then swap in one assignment: requests see the old or the new, never a mix.
      const next = buildRuntime(full, buildIdentityProviders(full, opts.idpFetch, logger));
      config = full;
      runtime = next;
      void groupSyncs?.update(full);
      logger.info({ apps: full.apps.length }, 'config reloaded');
      return { ok: true };
    } catch (err) {
      logger.error({ err }, 'config reload failed; still serving the previous config');
      return { ok: false, issues: (err as Error).message };
    }
  }

  let watcher: FSWatcher | null = null;
  if (opts.watchConfig && initial.sourcePath) {
    let pending: NodeJS.Timeout | null = null;
    // Watch the folder, not the file: editors save by renaming a new file over the old one.
    const file = basename(initial.sourcePath);
    watcher = watch(dirname(initial.sourcePath), (_event, name) => {
      if (name !== file) return;
      if (pending) clearTimeout(pending);
      pending = setTimeout(() => void reload(), 200);
    });
  }

  return {
    config: () => config, store, sessions, server, listeners, gateway, logger, reload, metrics: operate.metrics,
    async close() {
      watcher?.close();
      layers.stop();
      for (const t of timers) clearInterval(t);
      await groupSyncs?.stop();
      await riskScheduler?.stop();
      await gateway?.close();
      await release();
    },
  };
}
