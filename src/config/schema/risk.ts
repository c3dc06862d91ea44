// The `risk:` section: Entra ID Protection's risky users kept in step as three risk groups (in the
// Entra tenant, in Moatless's directory, or both) and a live per-user risk level. Credentials,
// cloud and dev overrides come from the named Entra identity provider. Schema only; the
// cross-reference checks (the IdP exists, is Entra, its cloud has the API) are in riskIssues.
import { z } from 'zod';
import type { ConfigIssue } from '../issues.ts';
import { durationMs } from './common.ts';
import { CLOUD_WITHOUT_RISKY_USERS } from './risk-clouds.ts';

export const RISK_OUTPUTS = ['directory', 'entraGroups'] as const;
export const RISK_STATES = ['atRisk', 'confirmedCompromised', 'remediated', 'dismissed', 'confirmedSafe', 'none'] as const;
export const ON_RAISE = ['none', 'reauthenticate', 'revoke'] as const;

export const riskSchema = z.strictObject({
  /** Id of an Entra identity provider (type: entra): its app registration reads the risky users. */
  identityProvider: z.string().min(1),
  /** Where the three groups go: Moatless's directory (acts within one poll), the Entra tenant (via SCIM), or both. */
  outputs: z.array(z.enum(RISK_OUTPUTS)).min(1).default(['directory']),
  /** How often an incremental cycle runs (only what changed since the watermark). */
  interval: durationMs.default(60_000),
  /** How often a cycle reads every risky user and reconciles the groups in full. */
  fullReconcile: durationMs.default(3_600_000),
  /** Which riskStates put a user in their level's group; every other state leaves the groups. */
  riskStates: z.array(z.enum(RISK_STATES)).min(1).default(['atRisk', 'confirmedCompromised']),
  /** Whether users Entra reports as deleted (`isDeleted`) still count. */
  includeDeleted: z.boolean().default(false),
  /** A cycle that would remove more than this share of a group's members stops unless confirmed. */
  maxRemovalShare: z.number().gt(0).max(1).default(0.5),
  /** The share guard applies only when at least this many members would go (small groups change freely). */
  removalGuardMinimum: z.number().int().min(1).default(5),
  /** When a user is raised to high risk: keep their sessions, make them sign in again, or revoke them. */
  onRaise: z.enum(ON_RAISE).default('none'),
  /** The Moatless directory (SCIM directory name) the `directory` output writes its groups into. */
  directory: z.string().min(1).default('default'),
}).optional();

export type RiskConfig = NonNullable<z.infer<typeof riskSchema>>;

/** Whether a risk sync is configured (the `riskLevel` selector needs one to mean anything). */
export function riskSyncConfigured(cfg: { risk?: RiskConfig | undefined }): boolean {
  return cfg.risk !== undefined;
}

interface IdpLike { id: string; type: string; cloud?: string }

/** Cross-reference problems of the `risk:` section, each with its path. Pure. */
export function riskIssues(cfg: { risk?: RiskConfig | undefined; identityProviders: readonly IdpLike[] }): ConfigIssue[] {
  const risk = cfg.risk;
  if (!risk) return [];
  const issues: ConfigIssue[] = [];
  const idp = cfg.identityProviders.find((p) => p.id === risk.identityProvider);
  if (!idp) {
    const known = cfg.identityProviders.filter((p) => p.type === 'entra').map((p) => p.id);
    issues.push({ path: 'risk.identityProvider', message: `unknown identity provider "${risk.identityProvider}"; Entra providers: ${known.join(', ') || '(none)'}` });
  } else if (idp.type !== 'entra') {
    issues.push({ path: 'risk.identityProvider', message: `"${idp.id}" is an ${idp.type} provider; the risk sync reads Entra ID Protection and needs a type: entra provider` });
  } else if (idp.cloud && CLOUD_WITHOUT_RISKY_USERS.has(idp.cloud)) {
    issues.push({ path: 'risk.identityProvider', message: `Entra ID Protection (risky users) is not available in the ${idp.cloud} cloud; the risk sync cannot run for "${idp.id}"` });
  }
  if (new Set(risk.outputs).size !== risk.outputs.length) issues.push({ path: 'risk.outputs', message: 'an output is listed twice' });
  if (risk.fullReconcile < risk.interval) issues.push({ path: 'risk.fullReconcile', message: 'must be at least risk.interval' });
  return issues;
}
