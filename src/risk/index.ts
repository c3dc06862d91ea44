// Public face of the risk capability and its composition from config: the Entra IdP named by
// `risk.identityProvider` supplies the app registration (secret or certificate), the cloud and the
// dev overrides; clouds without Identity Protection are refused here, at start. Must not run cycles
// itself (sync.ts) or schedule them (scheduler.ts).
import type { ResolvedConfig } from '../config/load.ts';
import type { RiskConfig } from '../config/schema/risk.ts';
import type { EntraIdpConfig } from '../config/schema/identity.ts';
import { cloudCapabilities, entraEndpoints } from '../identity/entra/clouds.ts';
import { credentialFromSecrets } from '../identity/entra/client-credential.ts';
import { createEntraGraphClient } from '../identity/entra/index.ts';
import { createRiskGraph, type RiskGraphOptions } from './graph-adapter.ts';
import { createRiskScheduler, type RiskScheduler } from './scheduler.ts';
import type { RiskSyncDeps, RiskSyncLogger } from './sync.ts';
import { RiskSyncError } from './types.ts';

export { runRiskCycle, type CycleReport, type CycleOptions, type RiskSyncDeps } from './sync.ts';
export { cycleLeaseTtl, runManualCycle, runningCycle, RiskSyncBusyError, type CycleRunner } from './cycle-lease.ts';
export { readHealth, staleness, type RiskHealth } from './health.ts';
export { RiskSyncError, groupName, GROUP_LEVELS } from './types.ts';
export { PERMISSIONS } from './graph-adapter.ts';

/** The Entra IdP the risk sync reads with; throws RiskSyncError when it is missing or its cloud lacks the API. */
export function riskIdentityProvider(cfg: Pick<ResolvedConfig, 'identityProviders'>, risk: RiskConfig): EntraIdpConfig {
  const idp = cfg.identityProviders.find((p) => p.id === risk.identityProvider);
  if (!idp || idp.type !== 'entra') throw new RiskSyncError('cloud_unsupported', `risk.identityProvider "${risk.identityProvider}" is not an Entra identity provider`);
  const caps = cloudCapabilities(idp.cloud);
  if (!caps.riskyUsersApi) throw new RiskSyncError('cloud_unsupported', caps.message ?? `the ${idp.cloud} cloud has no risky-user API`);
  return idp;
}

export interface RiskComposeDeps extends Omit<RiskSyncDeps, 'graph' | 'config'> {
  fetch?: typeof fetch;
  graphOptions?: RiskGraphOptions;
  log?: RiskSyncLogger;
}

/** Everything a cycle needs, built from the resolved config. */
export function riskSyncDeps(cfg: ResolvedConfig, deps: RiskComposeDeps): RiskSyncDeps {
  const risk = cfg.risk;
  if (!risk) throw new RiskSyncError('cloud_unsupported', 'no risk: section in the config');
  const idp = riskIdentityProvider(cfg, risk);
  const client = createEntraGraphClient(idp, credentialFromSecrets(cfg.secrets, idp.id), deps.fetch ? { fetch: deps.fetch } : {});
  const { fetch: _f, graphOptions, ...rest } = deps;
  return { ...rest, config: risk, graph: createRiskGraph(client, entraEndpoints(idp).graphBase, graphOptions) };
}

/**
 * The `moatless serve` schedule (every `risk.interval`), or null when no risk sync is configured.
 * A cloud without Identity Protection is reported here, at start, and nothing is scheduled.
 */
export function buildRiskScheduler(cfg: ResolvedConfig, deps: RiskComposeDeps & { log: RiskSyncLogger }): RiskScheduler | null {
  if (!cfg.risk) return null;
  try {
    return createRiskScheduler({ ...riskSyncDeps(cfg, deps), intervalMs: cfg.risk.interval });
  } catch (err) {
    deps.log.error({ err: err instanceof Error ? err.message : String(err) }, 'risk sync not started');
    return null;
  }
}
