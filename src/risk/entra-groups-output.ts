// The `entraGroups` output: the three security groups in the Entra tenant, found by exact name and
// pinned by id once found (kv `risk.entraGroups`), created when missing, never duplicated or
// deleted; two groups with one name stop the cycle before anything changes. Members are changed
// with `$ref` operations in `$batch` requests. Must not touch members that are not users.
import type { KeyValueStore } from '../store/ports.ts';
import type { MemberOp, MemberOpResult, RiskGraph } from './graph-port.ts';
import { desiredMembers, type CyclePlan } from './plan.ts';
import { GROUP_LEVELS, groupName, RiskSyncError, type GroupLevel } from './types.ts';

export const ENTRA_GROUPS_NS = 'risk.entraGroups';

export interface EntraGroupsPlan {
  /** Group id per level; null when it does not exist yet (a dry run does not create it). */
  groups: Record<GroupLevel, string | null>;
  created: GroupLevel[];
  ops: Record<GroupLevel, MemberOp[]>;
  /** Members per level before the changes (for the removal guard). */
  members: Record<GroupLevel, number>;
}

/**
 * Finds (or, unless dryRun, creates) the three groups; throws duplicate_group before any change.
 * Full cycles check that pinned ids still exist (an admin may have deleted a group) and look the
 * name up again when one does not.
 */
async function resolveGroups(graph: RiskGraph, kv: KeyValueStore, dryRun: boolean, verify: boolean): Promise<{ groups: Record<GroupLevel, string | null>; created: GroupLevel[] }> {
  const groups = {} as Record<GroupLevel, string | null>;
  const missing: GroupLevel[] = [];
  for (const level of GROUP_LEVELS) {
    const pinned = await kv.get(ENTRA_GROUPS_NS, level);
    if (pinned && (!verify || (await graph.getGroup(pinned)) !== null)) {
      groups[level] = pinned;
      continue;
    }
    const found = await graph.findGroups(groupName(level));
    if (found.length > 1) {
      throw new RiskSyncError('duplicate_group', `the tenant has ${found.length} groups named "${groupName(level)}" (${found.map((g) => g.id).join(', ')}); delete or rename all but one — nothing was changed`);
    }
    groups[level] = found[0]?.id ?? null;
    if (!found[0]) missing.push(level);
  }
  const created: GroupLevel[] = [];
  if (dryRun) return { groups, created };
  for (const level of GROUP_LEVELS) {
    if (missing.includes(level)) {
      groups[level] = (await graph.createGroup(groupName(level))).id;
      created.push(level);
    }
    const id = groups[level];
    if (id) await kv.set(ENTRA_GROUPS_NS, level, id);
  }
  return { groups, created };
}

export async function planEntraGroups(graph: RiskGraph, kv: KeyValueStore, plan: CyclePlan, full: boolean, dryRun: boolean): Promise<EntraGroupsPlan> {
  const { groups, created } = await resolveGroups(graph, kv, dryRun, full);
  const ops: Record<GroupLevel, MemberOp[]> = { high: [], medium: [], low: [] };
  const members: Record<GroupLevel, number> = { high: 0, medium: 0, low: 0 };
  if (full) {
    const desired = desiredMembers(plan.rows);
    for (const level of GROUP_LEVELS) {
      const id = groups[level];
      const have = new Set(id && !created.includes(level) ? await graph.groupUserIds(id) : []);
      members[level] = have.size;
      for (const userId of desired[level].keys()) if (!have.has(userId)) ops[level].push({ op: 'add', userId });
      for (const userId of have) if (!desired[level].has(userId)) ops[level].push({ op: 'remove', userId });
    }
  } else {
    for (const t of plan.transitions) {
      if (t.from) ops[t.from].push({ op: 'remove', userId: t.userId });
      if (t.to) ops[t.to].push({ op: 'add', userId: t.userId });
    }
  }
  return { groups, created, ops, members };
}

export interface EntraGroupsResult {
  results: MemberOpResult[];
  failed: MemberOpResult[];
  byLevel: Record<GroupLevel, MemberOpResult[]>;
}

export async function applyEntraGroups(graph: RiskGraph, p: EntraGroupsPlan): Promise<EntraGroupsResult> {
  const byLevel: Record<GroupLevel, MemberOpResult[]> = { high: [], medium: [], low: [] };
  // Every removal first, so a user moving between levels is never in two groups at once.
  for (const kind of ['remove', 'add'] as const) {
    for (const level of GROUP_LEVELS) {
      const id = p.groups[level];
      const ops = p.ops[level].filter((o) => o.op === kind);
      if (id && ops.length > 0) byLevel[level].push(...await graph.applyMembers(id, ops));
    }
  }
  const results = GROUP_LEVELS.flatMap((l) => byLevel[l]);
  return { results, failed: results.filter((r) => r.outcome === 'failed'), byLevel };
}
