// Admin API: run one risk-sync cycle now, or plan it (dry run), on the server — what `moatless risk
// sync --once --url` calls, so the Graph credential never leaves the server. The cycle is the same
// one the schedule runs (src/risk/sync.ts), with the same guard rails: a removal guard that trips
// stops the cycle unless `confirm` is sent, and the same lease: while any cycle runs — scheduled or
// by hand, on any replica — the call is refused with 409 naming it. Owns: the call. Must not: hold
// sync logic, or start a cycle without the lease.
import { z } from 'zod';
import { createGroupChangeHook } from '../../identity/group-change.ts';
import { riskSyncDeps, RiskSyncBusyError, RiskSyncError, runManualCycle } from '../../risk/index.ts';
import type { ApiDeps } from './common.ts';
import { ApiError } from './errors.ts';
import { defineRoute, type Route } from './route.ts';

const level = z.enum(['high', 'medium', 'low']);
const reportSchema = z.object({
  ok: z.boolean().meta({ description: 'false: the cycle failed or stopped at a guard rail (see error); nothing half-written.' }),
  cycleId: z.string(), mode: z.enum(['full', 'incremental']), dryRun: z.boolean(),
  read: z.number().int().meta({ description: 'Risky users read from Microsoft Graph.' }),
  transitions: z.array(z.object({ userId: z.string(), userPrincipalName: z.string(), from: level.nullable(), to: level.nullable(), reason: z.string() })),
  counts: z.object({ high: z.number().int(), medium: z.number().int(), low: z.number().int() }),
  directory: z.object({ added: z.number().int(), removed: z.number().int(), notProvisioned: z.number().int() }).optional(),
  entraGroups: z.object({ created: z.array(level), planned: z.number().int(), done: z.number().int(), gone: z.number().int(), failed: z.number().int() }).optional(),
  sessionsEnded: z.number().int().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  durationMs: z.number(),
}).meta({ id: 'RiskCycleReport' });

export function riskSyncRoute(deps: ApiDeps): Route {
  return defineRoute({
    method: 'post', path: '/risk/sync', operationId: 'runRiskSync', tag: 'risk', access: 'write', errors: ['409'],
    summary: 'Run one risk-sync cycle now (Entra ID Protection → risk groups), or plan it with dryRun; answers when it ends',
    body: z.strictObject({
      dryRun: z.boolean().default(false).meta({ description: 'Read and plan only; nothing is written.' }),
      confirm: z.boolean().default(false).meta({ description: 'Go ahead although the removal guard tripped.' }),
      full: z.boolean().optional().meta({ description: 'true: a full reconcile; false: incremental; absent: whichever is due.' }),
    }).meta({ id: 'RiskSyncRun' }),
    response: reportSchema,
    async handle({ body }, ctx) {
      const cfg = deps.runtime().config;
      let sync;
      try {
        const groupChange = createGroupChangeHook({ sessions: deps.sessions, idpConfigs: () => deps.runtime().config.identityProviders });
        sync = riskSyncDeps(cfg, { store: deps.store, sessions: deps.sessions, groupChange, ...(deps.idpFetch ? { fetch: deps.idpFetch } : {}) });
      } catch (err) {
        if (!(err instanceof RiskSyncError)) throw err;
        throw new ApiError('conflict', `risk sync cannot run: ${err.message}`);
      }
      let report;
      try {
        report = await runManualCycle(sync, { dryRun: body.dryRun, confirm: body.confirm, ...(body.full !== undefined ? { full: body.full } : {}) });
      } catch (err) {
        if (!(err instanceof RiskSyncBusyError)) throw err;
        throw new ApiError('conflict', err.message);
      }
      await ctx.audit({
        action: 'risk.sync', target: 'risk-sync', before: null,
        after: { cycleId: report.cycleId, ok: report.ok, dryRun: report.dryRun, mode: report.mode, changes: report.transitions.length, ...(report.error ? { error: report.error.code } : {}) },
      });
      return report;
    },
  });
}
