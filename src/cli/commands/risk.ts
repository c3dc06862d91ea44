// `moatless risk sync --once [--dry-run] [--confirm] [--full] [--json]` runs one risk-sync cycle by
// hand with a progress line per page; `moatless risk status [--json]` prints the stored health.
// A small composition root over src/risk; must not hold sync logic.
import { createGroupChangeHook } from '../../identity/group-change.ts';
import { SessionService } from '../../identity/sessions.ts';
import { readHealth, riskSyncDeps, RiskSyncBusyError, runManualCycle, staleness, type CycleReport } from '../../risk/index.ts';
import { RiskSyncError } from '../../risk/types.ts';
import { UsageError, type ParsedArgs } from '../args.ts';
import { withConfigAndStore } from '../load-config.ts';
import { viaApiOrStore } from '../remote.ts';

const out = (s: string) => void process.stdout.write(s);
const err = (s: string) => void process.stderr.write(s);
const level = (l: string | null) => l ?? 'none';
/** A full reconcile of a large tenant pages through Graph for minutes; the server answers when it ends. */
const REMOTE_CYCLE_TIMEOUT_MS = 15 * 60_000;

/** A cycle's report on stdout (as JSON with --json); exit code 1 when it did not succeed. */
function printReport(json: boolean, report: CycleReport): number {
  if (json) out(`${JSON.stringify(report, null, 2)}\n`);
  else out(describe(report));
  return report.ok ? 0 : 1;
}

export async function riskSync(args: ParsedArgs): Promise<number> {
  if (!args.flags.has('once')) throw new UsageError('the schedule runs inside `moatless serve`; run one cycle by hand with --once');
  const json = args.flags.has('json');
  const options = { dryRun: args.flags.has('dry-run'), confirm: args.flags.has('confirm'), ...(args.flags.has('full') ? { full: true } : {}) };
  return viaApiOrStore(args, async (api) => {
    // The cycle runs on the server (its Graph credential stays there); no page progress over HTTP.
    err('risk sync: running one cycle on the server…\n');
    return printReport(json, await api.post<CycleReport>('/risk/sync', options, { timeoutMs: REMOTE_CYCLE_TIMEOUT_MS }));
  }, () => withConfigAndStore(args, async (store, cfg) => {
    if (!cfg.risk) {
      err('no risk: section in the config; see docs/risk.md\n');
      return 1;
    }
    const sessions = new SessionService({ store, now: Date.now, cacheTtlMs: 0 });
    try {
      let deps;
      try {
        deps = riskSyncDeps(cfg, { store, sessions, groupChange: createGroupChangeHook({ sessions, idpConfigs: cfg.identityProviders }) });
      } catch (e) {
        if (!(e instanceof RiskSyncError)) throw e;
        err(`risk sync cannot run: ${e.message}\n`);
        return 1;
      }
      let report;
      try {
        report = await runManualCycle(deps, {
          ...options,
          // Progress goes to stderr so --json output stays one document.
          onPage: (p) => err(`page ${p.page}: ${p.items} risky user(s) read\n`),
        });
      } catch (e) {
        // The schedule inside `moatless serve`, or another hand-started cycle, holds the lease.
        if (!(e instanceof RiskSyncBusyError)) throw e;
        err(`risk sync: ${e.message}\n`);
        return 1;
      }
      return printReport(json, report);
    } finally {
      sessions.close();
    }
  }));
}

function describe(r: CycleReport): string {
  const lines = [`risk sync: ${r.mode} cycle ${r.cycleId}${r.dryRun ? ' (dry run: nothing written)' : ''}`];
  lines.push(`read ${r.read} risky user(s); ${r.transitions.length} change(s)${r.dryRun ? ' planned' : ''}`);
  for (const t of r.transitions) lines.push(`  ${(t.userPrincipalName || t.userId).padEnd(32)} ${level(t.from).padEnd(6)} → ${level(t.to).padEnd(6)} ${t.reason}`);
  if (r.directory) lines.push(`directory: ${r.directory.added} added, ${r.directory.removed} removed, ${r.directory.notProvisioned} risky user(s) not provisioned (level only)`);
  if (r.entraGroups) {
    const e = r.entraGroups;
    lines.push(`entra groups: ${e.planned} member change(s)${r.dryRun ? ' planned' : `: ${e.done} done, ${e.gone} user(s) already deleted, ${e.failed} failed`}${e.created.length ? `; created ${e.created.join(', ')}` : ''}`);
  }
  lines.push(`counts: high ${r.counts.high}, medium ${r.counts.medium}, low ${r.counts.low}`);
  if (r.sessionsEnded) lines.push(`sessions ended (onRaise): ${r.sessionsEnded}`);
  if (r.error) lines.push(`error (${r.error.code}): ${r.error.message}`);
  return `${lines.join('\n')}\n`;
}

/** What `risk status` prints, from the store or from the admin API (times epoch ms). */
interface StatusView {
  configured: string;
  lastSuccessAt: number | null; staleMs: number | null; lastAttemptAt: number | null; lastMode: string | null; durationMs: number | null;
  lastFullAt: number | null; counts: { high: number; medium: number; low: number }; watermark: number | null | undefined;
  lastError: { code: string; message: string; at: number } | null;
  recent: Array<{ time: number; output: string; userPrincipalName: string; from: string | null; to: string | null; reason: string }>;
}

function printStatus(v: StatusView): number {
  const at = (t: number | null | undefined) => (t === undefined ? '-' : t === null ? 'never' : new Date(t).toISOString());
  out([
    `configured     ${v.configured}`,
    `last success   ${at(v.lastSuccessAt)}${v.staleMs !== null ? ` (${Math.round(v.staleMs / 1000)}s ago)` : ''}`,
    `last attempt   ${at(v.lastAttemptAt)} (${v.lastMode ?? '-'}, ${v.durationMs ?? '-'} ms)`,
    `last full      ${at(v.lastFullAt)}`,
    `counts         high ${v.counts.high}, medium ${v.counts.medium}, low ${v.counts.low}`,
    `watermark      ${at(v.watermark)}`,
    `last error     ${v.lastError ? `${v.lastError.code} at ${at(v.lastError.at)}: ${v.lastError.message}` : 'none'}`,
    ...v.recent.map((c) => `  ${new Date(c.time).toISOString()} ${c.output.padEnd(11)} ${c.userPrincipalName.padEnd(28)} ${level(c.from)} → ${level(c.to)}  ${c.reason}`),
  ].join('\n') + '\n');
  return 0;
}

export async function riskStatus(args: ParsedArgs): Promise<number> {
  return viaApiOrStore(args, async (api) => {
    const h = await api.get<Omit<StatusView, 'configured' | 'recent' | 'watermark' | 'lastSuccessAt' | 'lastAttemptAt' | 'lastFullAt' | 'lastError'> & {
      configured: boolean; lastSuccessAt: string | null; lastAttemptAt: string | null; lastFullAt: string | null; lastError: { code: string; message: string; at: string } | null;
    }>('/risk/status');
    const { items } = await api.get<{ items: Array<StatusView['recent'][number] & { time: string }> }>('/risk/changes', { limit: 10 });
    if (args.flags.has('json')) {
      out(`${JSON.stringify({ ...h, recentChanges: items }, null, 2)}\n`);
      return 0;
    }
    const ms = (t: string | null) => (t === null ? null : Date.parse(t));
    return printStatus({
      ...h, configured: h.configured ? 'yes' : 'no', watermark: undefined, lastSuccessAt: ms(h.lastSuccessAt), lastAttemptAt: ms(h.lastAttemptAt), lastFullAt: ms(h.lastFullAt),
      lastError: h.lastError ? { ...h.lastError, at: Date.parse(h.lastError.at) } : null, recent: items.map((c) => ({ ...c, time: Date.parse(c.time) })),
    });
  }, () => withConfigAndStore(args, async (store, cfg) => {
    const h = await readHealth(store.kv);
    const stale = staleness(h, Date.now());
    const recent = await store.directory.risk.changes({ limit: 10 });
    if (args.flags.has('json')) {
      out(`${JSON.stringify({ configured: cfg.risk !== undefined, ...h, stalenessMs: stale, recentChanges: recent }, null, 2)}\n`);
      return 0;
    }
    return printStatus({ ...h, configured: cfg.risk ? `yes (${cfg.risk.outputs.join(', ')}, every ${cfg.risk.interval / 1000}s)` : 'no', staleMs: stale, recent });
  }));
}
