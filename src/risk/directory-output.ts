// The `directory` output: the three risk groups in one Moatless directory, members matched by
// userName = the risky user's UPN (Entra's SCIM mapping), written in the same transaction as the
// sync's per-user state through the directory's write path (change notices, re-auth effects).
// Full cycles reconcile against the stored members; incremental ones apply the transitions.
// Must not create directory users: only provisioned users can be members.
import type { ProvisioningEffects } from '../directory/provisioning-effects.ts';
import { changeMembers, ensureGroup } from '../directory/directory-writes.ts';
import type { RiskChangeEntry, TxStore } from '../store/ports.ts';
import { desiredMembers, type CyclePlan } from './plan.ts';
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

export async function writeDirectoryGroups(tx: TxStore, fx: ProvisioningEffects, dirId: string, plan: CyclePlan, full: boolean, now: number): Promise<DirectoryOutputResult> {
  const groupIds = {} as Record<GroupLevel, string>;
  for (const level of GROUP_LEVELS) groupIds[level] = await ensureGroup(tx, dirId, groupName(level), now);
  const upns = [...plan.rows.map((r) => r.userPrincipalName), ...plan.transitions.map((t) => t.userPrincipalName)].filter(Boolean);
  const byUpn = await tx.directory.risk.directoryUsersByUserName(dirId, upns);
  const dirIdOf = (upn: string) => byUpn.get(upn.toLowerCase());
  const result: DirectoryOutputResult = { added: 0, removed: 0, notProvisioned: 0, log: [] };
  const entry = (userId: string, upn: string, level: GroupLevel, from: GroupLevel | null, to: GroupLevel | null, reason: string) =>
    result.log.push({ userId, userPrincipalName: upn, output: 'directory', groupName: groupName(level), from, to, reason });

  if (full) {
    const desired = desiredMembers(plan.rows);
    const reasons = new Map(plan.transitions.map((t) => [t.userId, t]));
    const byName = new Map(plan.transitions.map((t) => [t.userPrincipalName.toLowerCase(), t]));
    for (const level of GROUP_LEVELS) {
      const want = new Map<string, { userId: string; upn: string }>();
      for (const [userId, upn] of desired[level]) {
        const id = dirIdOf(upn);
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
        if (w) entry(w.userId, w.upn, level, reasons.get(w.userId)?.from ?? null, level, reasons.get(w.userId)?.reason ?? 'reconcile: missing from the group');
      }
      for (const u of await tx.directory.users.getMany(dirId, remove)) {
        const t = byName.get(u.userName.toLowerCase());
        entry(t?.userId ?? u.id, u.userName, level, level, t?.to ?? null, t?.reason ?? 'reconcile: not risky at this level');
      }
    }
  } else {
    for (const t of plan.transitions) {
      const id = dirIdOf(t.userPrincipalName);
      if (!id) {
        if (t.to) result.notProvisioned++;
        continue;
      }
      if (t.from) {
        await changeMembers(tx, fx, dirId, groupIds[t.from], [], [id], now);
        result.removed++;
        entry(t.userId, t.userPrincipalName, t.from, t.from, t.to, t.reason);
      }
      if (t.to) {
        await changeMembers(tx, fx, dirId, groupIds[t.to], [id], [], now);
        result.added++;
        entry(t.userId, t.userPrincipalName, t.to, t.from, t.to, t.reason);
      }
    }
  }
  return result;
}
