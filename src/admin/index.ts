// Public face of the admin capability (operate): health probes, Prometheus metrics, the admin API
// at /api/v1, the dashboard at /admin/, the app launcher at /, and API tokens. Owns: assembling
// them from one set of dependencies. Must not: bypass the store's interfaces or the SessionService
// for revocations.
import type { Logger } from 'pino';
import type { ConfigIssue } from '../config/issues.ts';
import type { AuthHostMount, DirectoryFactsSource } from '../access/context.ts';
import type { AccessRuntime } from '../access/runtime.ts';
import { SCIM_PREFIX } from '../directory/http/scim-mount.ts';
import type { SessionService } from '../identity/sessions.ts';
import type { Store } from '../store/ports.ts';
import type { ConfigWrites } from './config-objects/writes.ts';
import { adminApi } from './api/index.ts';
import { dashboardMount } from './dashboard/dashboard-mount.ts';
import { createProbes, type ProbeHandler } from './health.ts';
import { launcherMounts } from './launcher/launcher-mount.ts';
import { Metrics } from './metrics.ts';
import { cachedActiveSessionCount } from './active-session-count.ts';
import { meteredScimMount, metricsMount } from './metrics-mount.ts';

export { MeteredAccessLog } from './metered-access-log.ts';
export { createAdminToken, verifyAdminToken, ADMIN_TOKEN_PREFIX } from './api-tokens.ts';
export { Metrics } from './metrics.ts';
export { ConfigLayers } from './config-objects/layers.ts';
export { ConfigWrites } from './config-objects/writes.ts';

export interface OperateDeps {
  store: Store;
  sessions: SessionService;
  logger: Logger;
  now: () => number;
  runtime: () => AccessRuntime;
  /** Writes of apps, policies and rule groups through the admin API. */
  configWrites?: ConfigWrites;
  /** API objects left out of the served config (they no longer fit the file), with why. */
  notServed?: () => readonly ConfigIssue[];
  /** Outbound fetch for Entra and Graph calls the admin API makes (auth-context import, risk sync). */
  idpFetch?: typeof fetch;
}

export interface Operate {
  metrics: Metrics;
  probes: ProbeHandler;
  /** The operate mounts, followed by `others` (SCIM metered). */
  mounts(others: AuthHostMount[], directoryFacts?: DirectoryFactsSource): AuthHostMount[];
}

export function createOperate(deps: OperateDeps): Operate {
  // One cached count per process for the overview and the gauge (at most 5 s old).
  const activeSessions = cachedActiveSessionCount(deps);
  const metrics = new Metrics({ store: deps.store, now: deps.now, activeSessions });
  return {
    metrics,
    probes: createProbes({ store: deps.store }),
    mounts(others, directoryFacts) {
      const facts = directoryFacts ? { directoryFacts } : {};
      const authOrigin = () => deps.runtime().authOrigin;
      return [
        metricsMount(metrics, () => deps.runtime().config.secrets.metricsToken ?? null),
        adminApi({ ...deps, ...facts, activeSessions, authOrigin, admin: () => deps.runtime().config.admin }),
        dashboardMount({ ...deps, ...facts, authOrigin, admin: () => deps.runtime().config.admin }),
        ...launcherMounts({ ...deps, ...facts }),
        ...others.map((m) => (m.prefix === SCIM_PREFIX ? meteredScimMount(m, metrics) : m)),
      ];
    },
  };
}
