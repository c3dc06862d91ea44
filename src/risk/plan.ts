// The pure core of a cycle: which group each risky user belongs in, what changes against the last
// known state, and whether the removal guard stops the cycle. No I/O, no clock.
import type { RiskUserRow } from '../store/ports.ts';
import { GROUP_LEVELS, type GroupLevel, type RiskyUser } from './types.ts';

export interface LevelRules {
  /** riskStates that count (default atRisk, confirmedCompromised). */
  riskStates: readonly string[];
  includeDeleted: boolean;
}

export interface Transition {
  userId: string;
  userPrincipalName: string;
  from: GroupLevel | null;
  to: GroupLevel | null;
  reason: string;
}

/** The group a user belongs in: their level when it is low/medium/high, their state counts and (unless allowed) they exist. */
export function levelOf(u: RiskyUser, rules: LevelRules): GroupLevel | null {
  if (u.isDeleted && !rules.includeDeleted) return null;
  if (!rules.riskStates.includes(u.riskState)) return null;
  return (GROUP_LEVELS as readonly string[]).includes(u.riskLevel) ? (u.riskLevel as GroupLevel) : null;
}

function reasonOf(u: RiskyUser | undefined, to: GroupLevel | null, rules: LevelRules): string {
  if (!u) return 'no longer listed by Identity Protection';
  if (u.isDeleted && !rules.includeDeleted) return 'user deleted';
  if (!rules.riskStates.includes(u.riskState)) return `riskState ${u.riskState}`;
  return to ? `riskLevel ${u.riskLevel} (${u.riskState})` : `riskLevel ${u.riskLevel}`;
}

export interface CyclePlan {
  /** The state to store: every row the sync knows after this cycle. */
  rows: RiskUserRow[];
  /** Known user ids that a full read no longer lists (their rows are deleted). */
  dropped: string[];
  transitions: Transition[];
  /** Users per level after the cycle. */
  counts: Record<GroupLevel, number>;
}

/**
 * Full: `read` is every risky user, so known users missing from it leave their group. Incremental:
 * `read` holds only users changed since the watermark; everyone else keeps their level.
 */
export function planCycle(known: readonly RiskUserRow[], read: readonly RiskyUser[], rules: LevelRules, full: boolean, now: number): CyclePlan {
  const before = new Map(known.map((r) => [r.userId, r]));
  const after = new Map(before);
  const transitions: Transition[] = [];
  const readIds = new Set<string>();
  for (const u of read) {
    readIds.add(u.id);
    const prev = before.get(u.id);
    const to = levelOf(u, rules);
    after.set(u.id, {
      userId: u.id, userPrincipalName: u.userPrincipalName || prev?.userPrincipalName || '', riskLevel: u.riskLevel, riskState: u.riskState,
      isDeleted: u.isDeleted, riskLastUpdated: u.riskLastUpdated, level: to, updatedAt: now,
    });
    const from = prev?.level ?? null;
    if (from !== to) transitions.push({ userId: u.id, userPrincipalName: u.userPrincipalName || prev?.userPrincipalName || '', from, to, reason: reasonOf(u, to, rules) });
  }
  const dropped: string[] = [];
  if (full) {
    for (const [id, prev] of before) {
      if (readIds.has(id)) continue;
      dropped.push(id);
      after.delete(id);
      if (prev.level) transitions.push({ userId: id, userPrincipalName: prev.userPrincipalName, from: prev.level, to: null, reason: reasonOf(undefined, null, rules) });
    }
  }
  const counts: Record<GroupLevel, number> = { high: 0, medium: 0, low: 0 };
  for (const r of after.values()) if (r.level) counts[r.level]++;
  const changed = new Set(transitions.map((t) => t.userId));
  const rows = [...after.values()].filter((r) => changed.has(r.userId) || readIds.has(r.userId));
  return { rows, dropped, transitions, counts };
}

/** Desired members per level from the state after a cycle. */
export function desiredMembers(rows: Iterable<Pick<RiskUserRow, 'userId' | 'userPrincipalName' | 'level'>>): Record<GroupLevel, Map<string, string>> {
  const out: Record<GroupLevel, Map<string, string>> = { high: new Map(), medium: new Map(), low: new Map() };
  for (const r of rows) if (r.level) out[r.level].set(r.userId, r.userPrincipalName);
  return out;
}

export interface GuardLimits { maxRemovalShare: number; removalGuardMinimum: number }

/** Groups where the cycle would remove more than the allowed share of members; empty when it may run. */
export function removalGuard(removals: Record<GroupLevel, number>, members: Record<GroupLevel, number>, limits: GuardLimits): string[] {
  const tripped: string[] = [];
  for (const level of GROUP_LEVELS) {
    const removed = removals[level];
    const current = members[level];
    if (removed < limits.removalGuardMinimum || current === 0) continue;
    if (removed / current > limits.maxRemovalShare) tripped.push(`${level}: ${removed} of ${current} members`);
  }
  return tripped;
}

/** Removals per level implied by transitions (a user leaving `from`). */
export function removalsOf(transitions: readonly Transition[]): Record<GroupLevel, number> {
  const out: Record<GroupLevel, number> = { high: 0, medium: 0, low: 0 };
  for (const t of transitions) if (t.from && t.from !== t.to) out[t.from]++;
  return out;
}

export function countsOf(rows: Iterable<Pick<RiskUserRow, 'level'>>): Record<GroupLevel, number> {
  const out: Record<GroupLevel, number> = { high: 0, medium: 0, low: 0 };
  for (const r of rows) if (r.level) out[r.level]++;
  return out;
}
