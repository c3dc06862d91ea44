// The risk sync's vocabulary: risky users as read from Graph, the three levels and their group
// names, and the sync's closed set of errors. Types and constants only.
import type { GroupLevel } from '../store/ports.ts';

export type { GroupLevel };

export const GROUP_LEVELS: readonly GroupLevel[] = ['high', 'medium', 'low'];

/** The names Cloudflare's tutorial uses; SCIM provisioning and Gateway policies match them exactly. */
export function groupName(level: GroupLevel): string {
  return `IdentityProtection-RiskyUser-RiskLevel-${level}`;
}

export interface RiskyUser {
  id: string;
  userPrincipalName: string;
  riskLevel: string;
  riskState: string;
  isDeleted: boolean;
  /** riskLastUpdatedDateTime, epoch ms. */
  riskLastUpdated: number;
}

export type RiskErrorCode =
  | 'permission_missing' | 'unauthorized' | 'graph_unavailable' | 'invalid_response' | 'cloud_unsupported'
  | 'duplicate_group' | 'removal_guard' | 'token_failed' | 'output_failed';

/** A cycle stopped; `code` is stable for health, metrics and tests, the message says what to do. */
export class RiskSyncError extends Error {
  readonly code: RiskErrorCode;
  constructor(code: RiskErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RiskSyncError';
    this.code = code;
  }
}
