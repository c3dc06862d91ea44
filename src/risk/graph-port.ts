// The port: what the risk sync needs from Microsoft Graph. One paged read of every risky user (or
// those changed since a time), and the three groups in the tenant: find by exact name, create,
// list members, change members in batches. The adapter is graph-adapter.ts.
import type { RiskyUser } from './types.ts';

export interface PageProgress {
  page: number;
  /** Items read so far, this page included. */
  items: number;
}

export type MemberOp = { op: 'add' | 'remove'; userId: string };

export interface MemberOpResult extends MemberOp {
  /** done: in the wanted state (including "already a member" / "not a member"); gone: the user no longer exists. */
  outcome: 'done' | 'gone' | 'failed';
  status: number;
  error?: string;
}

export interface RiskGraph {
  /** Every risky user, or those with riskLastUpdatedDateTime ≥ `since`; throws if any page fails. */
  readRiskyUsers(opts: { since?: number; onPage?: (p: PageProgress) => void }): Promise<RiskyUser[]>;
  /** Groups whose displayName equals `name` exactly. */
  findGroups(name: string): Promise<{ id: string; displayName: string }[]>;
  createGroup(name: string): Promise<{ id: string }>;
  /** The group with this id, or null when it no longer exists (a pinned id gone stale). */
  getGroup(id: string): Promise<{ id: string; displayName: string } | null>;
  /** Ids of the group's direct user members (other object types are not ours to manage). */
  groupUserIds(groupId: string): Promise<string[]>;
  /** Applies the operations in `$batch` requests of at most 20, retrying what can be retried. */
  applyMembers(groupId: string, ops: readonly MemberOp[]): Promise<MemberOpResult[]>;
}
