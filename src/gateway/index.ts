// The Gateway's public face and its wiring for one process: credentials, log, proxy listener,
// the auth host's /gateway pages (and the /browser placeholder), TLS inspection when a CA exists.
// The composition root (cli/compose.ts) calls startGateway once when the config has `gateway:`.
import { SourceIpBindings } from './ip-binding.ts';
import type { Logger } from 'pino';
import type { AuthHostMount, DirectoryFactsSource } from '../access/context.ts';
import type { ResolvedConfig } from '../config/load.ts';
import type { GatewayConfig } from '../config/schema/gateway.ts';
import type { SessionService } from '../identity/sessions.ts';
import type { CompiledGatewaySet } from '../policy/gateway-types.ts';
import type { GatewayLogStore, Store } from '../store/ports.ts';
import { ProxyCredentials } from './credentials.ts';
import { tcpDialer, type Dialer } from './dialer.ts';
import { systemResolver, type Listener, type Resolver } from './egress.ts';
import { cachingResolver } from './dns-cache.ts';
import { GatewayLog } from './gateway-log.ts';
import { browserPlaceholderMount, devicesMount } from './http/devices-mount.ts';
import type { Inspector } from './inspector.ts';
import { IsolationPasses, loadIsolatedMarkerKey } from './isolation-pass.ts';
import { GatewayProxy } from './proxy.ts';

export { ProxyCredentials, proxyAuthorization } from './credentials.ts';
export { IsolationPasses } from './isolation-pass.ts';
export type { Dialer } from './dialer.ts';
export type { Resolver } from './egress.ts';

export interface GatewayStartDeps {
  config(): ResolvedConfig;
  store: Store;
  sessions: SessionService;
  directoryFacts?: DirectoryFactsSource | undefined;
  logger: Logger;
  now(): number;
  /** Access's listeners, so the gateway never dials them. */
  accessListeners: readonly Listener[];
  /** Tests: a resolver that never touches DNS, a dialer that records. */
  resolver?: Resolver;
  dialer?: Dialer;
  /** TLS inspection (built by the caller from the stored CA). */
  inspector?: Inspector;
  caCertificate?(): string | null;
  /** Where gateway-log rows are appended (on SQLite, the log thread's); the store's own otherwise. */
  logStore?: GatewayLogStore | undefined;
}

export interface RunningGateway {
  url: string;
  port: number;
  credentials: ProxyCredentials;
  /** Per-session proxy credentials for remote browsers (their traffic is marked as already isolated). */
  passes: IsolationPasses;
  log: GatewayLog;
  mounts: AuthHostMount[];
  /** base64 SHA-256 of the CA's public key (Chromium's --ignore-certificate-errors-spki-list), when inspecting. */
  caSpkiHash?: string | null;
  close(): Promise<void>;
}

export async function startGateway(d: GatewayStartDeps): Promise<RunningGateway> {
  const initial = d.config();
  if (!initial.gateway || !initial.gatewayPolicies) throw new Error('startGateway needs a gateway: section');
  // A reload that drops the section keeps the last gateway config: adding or removing it needs a restart.
  let last: { gateway: GatewayConfig; set: CompiledGatewaySet } = { gateway: initial.gateway, set: initial.gatewayPolicies };
  // Asked several times per request: the answer is rebuilt only when the config object changes (a reload).
  let seen: { config: ResolvedConfig; answer: { gateway: GatewayConfig; set: CompiledGatewaySet; authOrigin: string; debug: boolean } } | null = null;
  const current = () => {
    const c = d.config();
    if (seen?.config === c) return seen.answer;
    if (c.gateway && c.gatewayPolicies) last = { gateway: c.gateway, set: c.gatewayPolicies };
    seen = { config: c, answer: { ...last, authOrigin: new URL(c.server.authUrl).origin, debug: c.server.debugDenyReasons } };
    return seen.answer;
  };
  const credentials = new ProxyCredentials({ store: d.store, sessions: d.sessions, directoryFacts: d.directoryFacts, now: d.now });
  const log = new GatewayLog(d.logStore ?? d.store.gateway.log, d.logger);
  const own: Listener[] = [...d.accessListeners];
  // Shared through the store: a marker signed by this Gateway verifies in every process's Access.
  await loadIsolatedMarkerKey(d.store.kv);
  const passes = new IsolationPasses({
    kv: d.store.kv, sessions: d.sessions, directoryFacts: d.directoryFacts, lifetimeMs: () => d.config().isolation.lifecycle.maxDuration + 60_000,
  });
  const ipBindings = new SourceIpBindings({
    kv: d.store.kv, sessions: d.sessions, directoryFacts: d.directoryFacts, now: d.now, config: () => current().gateway.sourceIpBinding,
  });
  const unbind = d.sessions.onSignIn((s) => {
    ipBindings.bind(s.ip, s.id).catch((err: unknown) => d.logger.warn({ err }, 'gateway: could not bind the sign-in address'));
  });
  // Names are resolved once per `dnsCacheTtl`; egress is still checked on the address dialled (dns-cache.ts).
  const resolver = cachingResolver(d.resolver ?? systemResolver, {
    ttlMs: () => current().gateway.dnsCacheTtl, now: d.now,
  });
  const proxy = new GatewayProxy({
    passes, ipBindings, accessListeners: () => d.accessListeners,
    config: current, credentials, log, logger: d.logger, now: d.now,
    resolver, dialer: d.dialer ?? tcpDialer, ownListeners: () => own, inspector: d.inspector,
  });
  const bound = await proxy.listen(initial.gateway.listener.address);
  own.push({ host: bound.host, port: bound.port });
  const proxyAddress = () => current().gateway.publicAddress ?? `${bound.host.includes(':') ? `[${bound.host}]` : bound.host}:${bound.port}`;
  const mounts = [
    devicesMount({ credentials, sessions: d.sessions, config: () => ({ authOrigin: current().authOrigin, proxyAddress: proxyAddress() }), caCertificate: d.caCertificate ?? (() => null) }),
    browserPlaceholderMount(),
  ];
  return {
    url: bound.url, port: bound.port, credentials, passes, log, mounts,
    async close() {
      unbind();
      await proxy.close();
      await log.close();
    },
  };
}
