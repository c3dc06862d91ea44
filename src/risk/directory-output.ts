// The `directory` output: the three risk groups in one Moatless directory, members matched by
// userName = the risky user's UPN (Entra's SCIM mapping), written in the same transaction as the
// sync's per-user state through the directory's write path (change notices, re-auth effects).
// Must not create directory users: only provisioned users can be members.
import type { ProvisioningEffects } from '../directory/provisioning-effects.ts';
import { changeMembers, ensureGroup } from '../directory/directory-writes.ts';
import type { RiskChangeEntry, RiskUserRow, TxStore } from '../store/ports.ts';
import { desiredMembers, type Transition } from './plan.ts';
import { GROUP_LEVELS, groupName, type GroupLevel } from './types.ts';

const PAGE = 1000;

export interface DirectoryOutputResult {
  added: number;
  removed: number;
  /** Risky users with no directory user of that userName (they still get the riskLevel fact). */
  notProvisioned: number;
  log: Omit<RiskChangeEntry, 'time' | 'cycleId'>[];
}

async function memberIds(tx: TxStore, dirId: string, groupId: string): Promise<Set<string>> {
  const out = new Set<string>();
  for (let start = 1; ; start += PAGE) {
    const page = await tx.directory.groups.members(dirId, groupId, { startIndex: start, count: PAGE });
    for (const m of page.items) out.add(m.id);
    if (page.items.length < PAGE) return out;
  }
}

/**
 * Reconciles the three groups with the whole stored state (`rows`, after this cycle's writes) on
 * every cycle, full or incremental: it costs only local reads, and a user provisioned by SCIM after
 * their risk was read joins their group at the next poll instead of the next full reconcile.
 */
export async function writeDirectoryGroups(tx: TxStore, fx: ProvisioningEffects, dirId: string, rows: readonly RiskUserRow[], transitions: readonly Transition[], now: number): Promise<DirectoryOutputResult> {
  const groupIds = {} as Record<GroupLevel, string>;
  for (const level of GROUP_LEVELS) groupIds[level] = await ensureGroup(tx, dirId, groupName(level), now);
  const byUpn = await tx.directory.risk.directoryUsersByUserName(dirId, rows.filter((r) => r.level).map((r) => r.userPrincipalName).filter(Boolean));
  const result: DirectoryOutputResult = { added: 0, removed: 0, notProvisioned: 0, log: [] };
  const entry = (userId: string, upn: string, level: GroupLevel, from: GroupLevel | null, to: GroupLevel | null, reason: string) =>
    result.log.push({ userId, userPrincipalName: upn, output: 'directory', groupName: groupName(level), from, to, reason });
  const desired = desiredMembers(rows);
  const reasons = new Map(transitions.map((t) => [t.userId, t]));
  const byName = new Map(transitions.map((t) => [t.userPrincipalName.toLowerCase(), t]));
  for (const level of GROUP_LEVELS) {
    const want = new Map<string, { userId: string; upn: string }>();
    for (const [userId, upn] of desired[level]) {
      const id = byUpn.get(upn.toLowerCase());
      if (id) want.set(id, { userId, upn });
      else result.notProvisioned++;
    }
    const have = await memberIds(tx, dirId, groupIds[level]);
    const add = [...want.keys()].filter((id) => !have.has(id));
    const remove = [...have].filter((id) => !want.has(id));
    await changeMembers(tx, fx, dirId, groupIds[level], add, remove, now);
    result.added += add.length;
    result.removed += remove.length;
    for (const id of add) {
      const w = want.get(id);
      const t = w ? reasons.get(w.userId) : undefined;
      if (w) entry(w.userId, w.upn, level, t?.from ?? null, level, t?.reason ?? 'reconcile: missing from the group (provisioned since)');
    }
    for (const u of await tx.directory.users.getMany(dirId, remove)) {
      const t = byName.get(u.userName.toLowerCase());
      entry(t?.userId ?? u.id, t?.userPrincipalName ?? u.userName, level, level, t?.to ?? null, t?.reason ?? 'reconcile: not risky at this level');
    }
  }
  return result;
}
