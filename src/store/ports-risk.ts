// The risk sync's port: the risky users it last read (its state between cycles and the source of
// the live `riskLevel` fact) and its change log.
// Owns: shapes and contracts. Must not: know Graph, groups or the sync's rules.

export type GroupLevel = 'low' | 'medium' | 'high';

export interface RiskUserRow {
  /** The Entra object id (riskyUser.id = user.id). */
  userId: string;
  userPrincipalName: string;
  /** Entra's own riskLevel (low, medium, high, hidden, none, …) and riskState, as read. */
  riskLevel: string;
  riskState: string;
  isDeleted: boolean;
  /** riskLastUpdatedDateTime, epoch ms. */
  riskLastUpdated: number;
  /** The group the user belongs in after the sync's rules (counted states, deleted users); null: none. */
  level: GroupLevel | null;
  updatedAt: number;
}

export interface RiskChangeEntry {
  time: number;
  cycleId: string;
  userId: string;
  userPrincipalName: string;
  /** `directory`, `entraGroups` or `state` (the per-user level only). */
  output: string;
  groupName: string | null;
  from: GroupLevel | null;
  to: GroupLevel | null;
  /** Why, e.g. `riskLevel high (atRisk)`, `riskState dismissed`, `user deleted`. */
  reason: string;
}

export interface RiskStore {
  /** Every stored risky user (the state a full reconcile replaces), ordered by userId. */
  list(): Promise<RiskUserRow[]>;
  /**
   * One page of risky users for the admin API: highest level first (high, medium, low, none), then
   * by UPN case-insensitively; `level` narrows to one level, `search` to UPNs containing it
   * (case-insensitive). Sorted and paged in the store, so a page never loads every row.
   */
  page(q: { level?: GroupLevel; search?: string; offset: number; limit: number }): Promise<{ total: number; items: RiskUserRow[] }>;
  /** The rows among `userIds` (one query per 500 ids). */
  getMany(userIds: readonly string[]): Promise<RiskUserRow[]>;
  /** Inserts or replaces each row by userId. */
  upsert(rows: readonly RiskUserRow[]): Promise<void>;
  /** Deletes the rows of `userIds`; returns how many existed. */
  remove(userIds: readonly string[]): Promise<number>;
  /** Rows whose userPrincipalName equals `upn` case-insensitively (the facts lookup by email). */
  findByUpn(upn: string): Promise<RiskUserRow[]>;
  /** Directory users whose userName is one of `upns` (case-insensitive): lower-cased upn → user id. */
  directoryUsersByUserName(directoryId: string, upns: readonly string[]): Promise<Map<string, string>>;
  appendChanges(entries: readonly RiskChangeEntry[]): Promise<void>;
  /**
   * Newest first, matching every given filter: `cycleId` one cycle, `output` one output (`level`:
   * the per-user level transitions), `upn` one user (case-insensitive), since ≤ time < before.
   */
  changes(q: { limit: number; cycleId?: string; output?: string; upn?: string; since?: number; before?: number }): Promise<RiskChangeEntry[]>;
  purgeChangesBefore(time: number): Promise<number>;
}
