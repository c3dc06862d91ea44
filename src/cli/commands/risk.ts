// `moatless risk sync --once [--dry-run] [--confirm] [--full] [--json]` runs one risk-sync cycle by
// hand with a progress line per page; `moatless risk status [--json]` prints the stored health.
// A small composition root over src/risk; must not hold sync logic.
import { createGroupChangeHook } from '../../identity/group-change.ts';
import { SessionService } from '../../identity/sessions.ts';
import { readHealth, riskSyncDeps, runRiskCycle, staleness, type CycleReport } from '../../risk/index.ts';
import { RiskSyncError } from '../../risk/types.ts';
import { UsageError, type ParsedArgs } from '../args.ts';
import { withConfigAndStore } from '../load-config.ts';

const out = (s: string) => void process.stdout.write(s);
const err = (s: string) => void process.stderr.write(s);
const level = (l: string | null) => l ?? 'none';

export async function riskSync(args: ParsedArgs): Promise<number> {
  if (!args.flags.has('once')) throw new UsageError('the schedule runs inside `moatless serve`; run one cycle by hand with --once');
  const json = args.flags.has('json');
  return withConfigAndStore(args, async (store, cfg) => {
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
      const report = await runRiskCycle(deps, {
        dryRun: args.flags.has('dry-run'), confirm: args.flags.has('confirm'), ...(args.flags.has('full') ? { full: true } : {}),
        // Progress goes to stderr so --json output stays one document.
        onPage: (p) => err(`page ${p.page}: ${p.items} risky user(s) read\n`),
      });
      if (json) out(`${JSON.stringify(report, null, 2)}\n`);
      else out(describe(report));
      return report.ok ? 0 : 1;
    } finally {
      sessions.close();
    }
  });
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

export async function riskStatus(args: ParsedArgs): Promise<number> {
  return withConfigAndStore(args, async (store, cfg) => {
    const h = await readHealth(store.kv);
    const now = Date.now();
    const stale = staleness(h, now);
    const recent = await store.directory.risk.changes({ limit: 10 });
    if (args.flags.has('json')) {
      out(`${JSON.stringify({ configured: cfg.risk !== undefined, ...h, stalenessMs: stale, recentChanges: recent }, null, 2)}\n`);
      return 0;
    }
    const at = (t: number | null) => (t === null ? 'never' : new Date(t).toISOString());
    out([
      `configured     ${cfg.risk ? `yes (${cfg.risk.outputs.join(', ')}, every ${cfg.risk.interval / 1000}s)` : 'no'}`,
      `last success   ${at(h.lastSuccessAt)}${stale !== null ? ` (${Math.round(stale / 1000)}s ago)` : ''}`,
      `last attempt   ${at(h.lastAttemptAt)} (${h.lastMode ?? '-'}, ${h.durationMs ?? '-'} ms)`,
      `last full      ${at(h.lastFullAt)}`,
      `counts         high ${h.counts.high}, medium ${h.counts.medium}, low ${h.counts.low}`,
      `watermark      ${at(h.watermark)}`,
      `last error     ${h.lastError ? `${h.lastError.code} at ${at(h.lastError.at)}: ${h.lastError.message}` : 'none'}`,
      ...recent.map((c) => `  ${new Date(c.time).toISOString()} ${c.output.padEnd(11)} ${c.userPrincipalName.padEnd(28)} ${level(c.from)} → ${level(c.to)}  ${c.reason}`),
    ].join('\n') + '\n');
    return 0;
  });
}
