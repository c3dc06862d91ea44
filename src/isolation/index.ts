// The isolation capability's public face: build the session manager and the viewer's auth-host
// mounts from config. Warns loudly when the remote browser has no egress proxy.
import type { Logger } from 'pino';
import type { AuthHostMount } from '../access/context.ts';
import type { ResolvedConfig } from '../config/load.ts';
import type { SessionService } from '../identity/sessions.ts';
import type { Store } from '../store/ports.ts';
import { LogAudit } from './audit.ts';
import type { LaunchOptions } from './chromium-process.ts';
import { viewerMounts } from './http/viewer-mount.ts';
import { ViewerOwners } from './http/viewer-owners.ts';
import { SessionManager, type ControlsSource } from './manager.ts';
import { remoteSignIn } from './remote-sign-in.ts';
import { resolveRunAs, type RunAs } from './run-as.ts';
import type { EgressSource, IsolationAudit, NavigationCheck } from './types.ts';

export { SessionManager, REGISTRY_NS, END_TOPIC, type SessionSummary, type ControlsSource } from './manager.ts';
export { LogAudit } from './audit.ts';
export type { AuditEvent, EgressGrant, EgressSource, IsolationAudit, IsolationReason, NavigationCheck } from './types.ts';

export interface IsolationDeps {
  store: Store;
  sessions: SessionService;
  logger: Logger;
  config: () => ResolvedConfig;
  audit?: IsolationAudit;
  checkNavigation?: NavigationCheck;
  controlsFor?: ControlsSource;
  /** The Gateway in this process: remote browsers' traffic goes through it as their user. */
  egress?: EgressSource;
  /** The Gateway's proxy URL, for browsers pre-started before any user asks (the pool). */
  egressProxy?: () => string | null;
  /** Whether warm browsers are worth keeping now; default: while some Gateway rule can isolate. */
  poolWanted?: () => boolean;
  /** Cluster workers: relay a user's viewer to the worker holding their browser (http/viewer-owners.ts). */
  routeViewers?: boolean;
  /** Viewer routing of its own (isolation workers: workers/index.ts); wins over `routeViewers`. */
  owners?: ((manager: SessionManager) => ViewerOwners) | undefined;
  /** This process is `moatless isolation-worker` under this name (shown with its sessions). */
  worker?: string;
}

export function buildIsolation(d: IsolationDeps): { manager: SessionManager; mounts: AuthHostMount[]; audit: IsolationAudit } {
  const audit = d.audit ?? new LogAudit(d.logger);
  let runAs: { name: string; value: RunAs | null } | null = null;
  let warned = false;
  const launch = (): LaunchOptions => {
    const c = d.config().isolation;
    // Resolved when a session starts (not at boot), so a missing account fails that session clearly.
    if (runAs?.name !== c.runAs) runAs = { name: c.runAs, value: resolveRunAs(c.runAs) };
    if (!c.proxy && !d.egress && !warned) {
      warned = true;
      d.logger.warn('isolation.proxy is not set: remote browsers reach the network DIRECTLY, bypassing Gateway egress policy');
    }
    return {
      chromiumPath: c.chromiumPath, runAs: runAs.value, proxy: c.proxy ?? null, rendererHeapMb: c.limits.rendererHeapMb,
      width: 1280, height: 720, ...(c.profileDir ? { profileBase: c.profileDir } : {}),
    };
  };
  // Warm browsers cost ~180 MB each: keep them only while some Gateway rule can isolate someone.
  const isolating = d.poolWanted ?? ((): boolean => d.config().gatewayPolicies?.rules.some((r) => r.action === 'isolate') ?? false);
  const manager = new SessionManager({
    config: () => d.config().isolation, poolWanted: isolating, launch, sessions: d.sessions, store: d.store, audit, logger: d.logger,
    ...(d.checkNavigation ? { checkNavigation: d.checkNavigation } : {}), ...(d.controlsFor ? { controlsFor: d.controlsFor } : {}),
    ...(d.egress ? { egress: d.egress } : {}), ...(d.egressProxy ? { egressProxy: d.egressProxy } : {}),
    signIn: remoteSignIn({ sessions: d.sessions, authUrl: () => d.config().server.authUrl }), ...(d.worker ? { worker: d.worker } : {}),
  });
  const owners = d.owners?.(manager)
    ?? (d.routeViewers ? new ViewerOwners({ kv: d.store.kv, holds: (userKey) => manager.find(userKey) !== undefined, logger: d.logger }) : undefined);
  return { manager, audit, mounts: viewerMounts({ manager, sessions: d.sessions, config: d.config, logger: d.logger, owners }) };
}
