// One risk-sync cycle: read risky users (all, or those changed since the watermark), plan the
// transitions, check the removal guard, then write — per-user state and the directory groups in one
// directory transaction, then the Entra groups — and record the change log and health. Never acts
// on a partial read: any failure before the writes changes nothing and keeps the watermark. Must
// not schedule itself (scheduler.ts) or know HTTP.
import { randomUUID } from 'node:crypto';
import type { RiskConfig } from '../config/schema/risk.ts';
import { RISK_SYNCED } from '../directory/directory-facts.ts';
import { writeDirectory, type DirectoryWriteDeps } from '../directory/directory-writes.ts';
import { ensureDirectory } from '../directory/scim-tokens.ts';
import type { RiskChangeEntry } from '../store/ports.ts';
import { writeDirectoryGroups, type DirectoryOutputResult } from './directory-output.ts';
import { applyEntraGroups, planEntraGroups, type EntraGroupsPlan, type EntraGroupsResult } from './entra-groups-output.ts';
import type { PageProgress, RiskGraph } from './graph-port.ts';
import { readHealth, writeHealth, type RiskHealth } from './health.ts';
import { countsOf, planCycle, removalGuard, removalsOf, type Transition } from './plan.ts';
import { GROUP_LEVELS, groupName, RiskSyncError, type GroupLevel } from './types.ts';

/** Incremental reads start this long before the watermark: Graph is eventually consistent. */
export const WATERMARK_OVERLAP_MS = 5 * 60_000;
export const RISK_RAISED_REASONS = { reauthenticate: 'risk_reauthenticate', revoke: 'risk_revoked' } as const;

export interface RiskSyncLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface RiskSyncDeps extends DirectoryWriteDeps {
  graph: RiskGraph;
  config: Pick<RiskConfig, 'interval' | 'outputs' | 'fullReconcile' | 'riskStates' | 'includeDeleted' | 'maxRemovalShare' | 'removalGuardMinimum' | 'onRaise' | 'directory'>;
  now?: () => number;
  log?: RiskSyncLogger;
}

export interface CycleOptions {
  /** true: a full reconcile; false: incremental; absent: whichever is due. */
  full?: boolean;
  dryRun?: boolean;
  /** Go ahead although the removal guard tripped. */
  confirm?: boolean;
  onPage?: (p: PageProgress) => void;
}

export interface CycleReport {
  ok: boolean;
  cycleId: string;
  mode: 'full' | 'incremental';
  dryRun: boolean;
  read: number;
  transitions: Transition[];
  counts: Record<GroupLevel, number>;
  directory?: Omit<DirectoryOutputResult, 'log'>;
  entraGroups?: { created: GroupLevel[]; planned: number; done: number; gone: number; failed: number };
  sessionsEnded?: number;
  error?: { code: string; message: string };
  durationMs: number;
}

export async function runRiskCycle(deps: RiskSyncDeps, opts: CycleOptions = {}): Promise<CycleReport> {
  const now = deps.now ?? Date.now;
  const cfg = deps.config;
  const kv = deps.store.kv;
  const health = await readHealth(kv);
  const started = now();
  const cycleId = randomUUID();
  const dryRun = opts.dryRun ?? false;
  const full = opts.full ?? (health.needsFull || health.watermark === null || health.lastFullAt === null || started - health.lastFullAt >= cfg.fullReconcile);
  const report: CycleReport = { ok: false, cycleId, mode: full ? 'full' : 'incremental', dryRun, read: 0, transitions: [], counts: health.counts, durationMs: 0 };
  let stateWritten = false;
  try {
    const since = full || health.watermark === null ? undefined : health.watermark - WATERMARK_OVERLAP_MS;
    const read = await deps.graph.readRiskyUsers({ ...(since !== undefined ? { since } : {}), ...(opts.onPage ? { onPage: opts.onPage } : {}) });
    report.read = read.length;
    const known = full ? await deps.store.directory.risk.list() : await deps.store.directory.risk.getMany(read.map((u) => u.id));
    const rules = { riskStates: cfg.riskStates, includeDeleted: cfg.includeDeleted };
    const plan = planCycle(known, read, rules, full, started);
    report.transitions = plan.transitions;
    report.counts = full ? plan.counts : shift(health.counts, plan.transitions);
    const entraPlan = cfg.outputs.includes('entraGroups') ? await planEntraGroups(deps.graph, kv, plan, full, dryRun) : null;
    if (entraPlan) report.entraGroups = { created: entraPlan.created, planned: GROUP_LEVELS.reduce((n, l) => n + entraPlan.ops[l].length, 0), done: 0, gone: 0, failed: 0 };
    guard(plan.transitions, full ? countsOf(known) : health.counts, entraPlan, full, cfg, opts.confirm ?? false);
    if (dryRun) return finish(report, true);

    const { directory } = await ensureDirectory(deps.store, cfg.directory, started);
    const dirResult = await writeDirectory(deps, directory.id, started, async (tx, fx) => {
      await tx.directory.risk.upsert(plan.rows);
      await tx.directory.risk.remove(plan.dropped);
      // The riskLevel fact of these users changed: every replica drops its cached facts (UPN and mail).
      for (const t of plan.transitions) fx.changed({ userName: t.userPrincipalName, email: null });
      const provisioned = await tx.directory.risk.directoryUsersByUserName(directory.id, plan.transitions.map((t) => t.userPrincipalName));
      for (const u of await tx.directory.users.getMany(directory.id, [...provisioned.values()])) fx.changed(u);
      if (full) await tx.kv.set(RISK_SYNCED.ns, RISK_SYNCED.key, String(started));
      return cfg.outputs.includes('directory') ? writeDirectoryGroups(tx, fx, directory.id, await tx.directory.risk.list(), plan.transitions, started) : null;
    });
    stateWritten = true;
    if (dirResult) report.directory = { added: dirResult.added, removed: dirResult.removed, notProvisioned: dirResult.notProvisioned };
    const entraResult = entraPlan ? await applyEntraGroups(deps.graph, entraPlan) : null;
    if (entraResult && report.entraGroups) Object.assign(report.entraGroups, tally(entraResult));
    report.sessionsEnded = await endRaisedSessions(deps, plan.transitions);
    await deps.store.directory.risk.appendChanges(logEntries(plan.transitions, dirResult, entraResult, cycleId, started));
    const failed = entraResult?.failed ?? [];
    if (failed.length > 0) deps.log?.warn({ cycleId, failed: failed.length, first: failed[0]?.error }, 'risk sync: some Entra group changes failed; the next cycle reconciles in full');
    await writeHealth(kv, {
      ...health, lastAttemptAt: started, lastSuccessAt: failed.length ? health.lastSuccessAt : now(), lastFullAt: full ? started : health.lastFullAt,
      lastCycleId: cycleId, lastMode: report.mode, durationMs: now() - started, counts: report.counts,
      watermark: read.reduce<number | null>((w, u) => Math.max(w ?? 0, u.riskLastUpdated), health.watermark),
      needsFull: failed.length > 0, consecutiveFailures: failed.length ? health.consecutiveFailures + 1 : 0, lastChanges: plan.transitions.length,
      lastError: failed.length ? { code: 'output_failed', message: `${failed.length} Entra group change(s) failed: ${failed[0]?.error ?? ''}`, at: started } : null,
    });
    if (plan.transitions.length > 0) deps.log?.info({ cycleId, mode: report.mode, changes: plan.transitions.length, counts: report.counts }, 'risk sync: groups updated');
    return finish(report, failed.length === 0);
  } catch (err) {
    const e = err instanceof RiskSyncError ? err : new RiskSyncError('graph_unavailable', err instanceof Error ? err.message : String(err), { cause: err });
    report.error = { code: e.code, message: e.message };
    deps.log?.error({ cycleId, code: e.code, err: e.message }, e.code === 'removal_guard' ? 'risk sync stopped by the removal guard; run `moatless risk sync --once --confirm` to go ahead' : 'risk sync cycle failed; nothing more was changed and the watermark is kept');
    if (!dryRun) await recordFailure(kv, health, started, now() - started, e, stateWritten);
    return finish(report, false);
  }

  function finish(r: CycleReport, ok: boolean): CycleReport {
    r.ok = ok;
    r.durationMs = now() - started;
    return r;
  }
}

function shift(counts: Record<GroupLevel, number>, transitions: readonly Transition[]): Record<GroupLevel, number> {
  const out = { ...counts };
  for (const t of transitions) {
    if (t.from) out[t.from] = Math.max(0, out[t.from] - 1);
    if (t.to) out[t.to]++;
  }
  return out;
}

function guard(transitions: readonly Transition[], members: Record<GroupLevel, number>, entra: EntraGroupsPlan | null, full: boolean, cfg: RiskSyncDeps['config'], confirm: boolean): void {
  const tripped = removalGuard(removalsOf(transitions), members, cfg);
  if (entra && full) {
    const removals = { high: 0, medium: 0, low: 0 };
    for (const l of GROUP_LEVELS) removals[l] = entra.ops[l].filter((o) => o.op === 'remove').length;
    tripped.push(...removalGuard(removals, entra.members, cfg).map((s) => `Entra ${s}`));
  }
  if (tripped.length > 0 && !confirm) {
    throw new RiskSyncError('removal_guard', `this cycle would remove more than ${Math.round(cfg.maxRemovalShare * 100)}% of a group's members (${tripped.join('; ')}); nothing was changed — check Entra ID Protection, then confirm with \`moatless risk sync --once --confirm\``);
  }
}

function tally(r: EntraGroupsResult): { done: number; gone: number; failed: number } {
  return { done: r.results.filter((x) => x.outcome === 'done').length, gone: r.results.filter((x) => x.outcome === 'gone').length, failed: r.failed.length };
}

/** onRaise: users who became high risk in this cycle sign in again (or are revoked). */
async function endRaisedSessions(deps: RiskSyncDeps, transitions: readonly Transition[]): Promise<number> {
  const mode = deps.config.onRaise;
  if (mode === 'none') return 0;
  const emails = transitions.filter((t) => t.to === 'high' && t.from !== 'high' && t.userPrincipalName).map((t) => t.userPrincipalName.toLowerCase());
  return emails.length > 0 ? deps.sessions.revokeUsers(emails, RISK_RAISED_REASONS[mode]) : 0;
}

function logEntries(transitions: readonly Transition[], dir: DirectoryOutputResult | null, entra: EntraGroupsResult | null, cycleId: string, time: number): RiskChangeEntry[] {
  const out: RiskChangeEntry[] = transitions.map((t) => ({
    time, cycleId, userId: t.userId, userPrincipalName: t.userPrincipalName, output: 'level', groupName: t.to ? groupName(t.to) : t.from ? groupName(t.from) : null,
    from: t.from, to: t.to, reason: t.reason,
  }));
  for (const e of dir?.log ?? []) out.push({ ...e, time, cycleId });
  const byUser = new Map(transitions.map((t) => [t.userId, t]));
  for (const level of GROUP_LEVELS) {
    for (const r of entra?.byLevel[level] ?? []) {
      const t = byUser.get(r.userId);
      out.push({
        time, cycleId, userId: r.userId, userPrincipalName: t?.userPrincipalName ?? '', output: 'entraGroups', groupName: groupName(level),
        from: r.op === 'remove' ? level : (t?.from ?? null), to: r.op === 'add' ? level : (t?.to ?? null),
        reason: r.outcome === 'done' ? (t?.reason ?? 'reconcile') : r.outcome === 'gone' ? 'user deleted in Entra before the change' : `failed: ${r.error ?? r.status}`,
      });
    }
  }
  return out;
}

async function recordFailure(kv: RiskSyncDeps['store']['kv'], health: RiskHealth, at: number, durationMs: number, e: RiskSyncError, stateWritten: boolean): Promise<void> {
  await writeHealth(kv, {
    ...health, lastAttemptAt: at, durationMs, consecutiveFailures: health.consecutiveFailures + 1,
    lastError: { code: e.code, message: e.message, at }, needsFull: health.needsFull || stateWritten,
  });
}
