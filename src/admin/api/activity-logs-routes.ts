// Admin API: the other capabilities' logs — the gateway's decisions, SCIM provisioning requests and
// the risk sync's changes — filtered and cursor-paged newest first (time-cursor.ts).
// Owns: these views. Must not: return more than a page, or anything the stores did not record
// (the stores keep no secrets: no tokens, no bodies).
import { z } from 'zod';
import { type ApiDeps, iso, isoTime, pageOf, paging, timeQuery } from './common.ts';
import { pickDirectory } from './directory-routes.ts';
import { defineRoute, type Route } from './route.ts';
import { timePage } from './time-cursor.ts';

const gatewayEntrySchema = z.object({
  time: isoTime, requestId: z.string(), userKey: z.string().nullable(), email: z.string().nullable(),
  groups: z.array(z.string()).meta({ description: 'Only the groups a deciding rule tested.' }),
  host: z.string(), url: z.string(), method: z.string(), action: z.string(), policy: z.string().nullable(), reasons: z.array(z.string()),
  status: z.number().int(), bytes: z.number().int(), isolation: z.enum(['redirected', 'blocked']).nullable(), clientIp: z.string(),
}).meta({ id: 'GatewayLogEntry' });
const provisioningEntrySchema = z.object({
  time: isoTime, directoryId: z.string(), method: z.string(), path: z.string(), operation: z.string(),
  resourceType: z.string().nullable(), resourceId: z.string().nullable(), externalId: z.string().nullable(),
  status: z.number().int(), error: z.string().nullable(), durationMs: z.number(),
}).meta({ id: 'ProvisioningLogEntry' });
const level = z.enum(['high', 'medium', 'low']);
const riskEntrySchema = z.object({
  time: isoTime, cycleId: z.string(), userId: z.string(), userPrincipalName: z.string(),
  output: z.string().meta({ description: '`level` (the per-user level), `directory` or `entraGroups`.' }),
  groupName: z.string().nullable(), from: level.nullable(), to: level.nullable(), reason: z.string(),
}).meta({ id: 'RiskLogEntry' });

/** The store's `before` from the cursor and the `until` filter (inclusive), whichever cuts more. */
function beforeOf(cursorBefore: number | undefined, until: number | undefined): { before?: number } {
  const cuts = [cursorBefore, until === undefined ? undefined : until + 1].filter((x): x is number => x !== undefined);
  return cuts.length ? { before: Math.min(...cuts) } : {};
}
const opt = <K extends string, V>(k: K, v: V | undefined): Partial<Record<K, V>> => (v === undefined || v === '' ? {} : { [k]: v } as Record<K, V>);

export function activityLogRoutes(deps: ApiDeps): Route[] {
  return [
    defineRoute({
      method: 'get', path: '/logs/gateway', operationId: 'queryGatewayLog', tag: 'logs', access: 'read',
      summary: 'Secure web gateway decisions, newest first',
      query: z.strictObject({ email: z.string().max(320).optional(), action: z.string().max(32).optional(), since: timeQuery, until: timeQuery, ...paging }),
      response: pageOf(gatewayEntrySchema, 'GatewayLogPage'),
      async handle({ query }) {
        const { page, nextCursor } = await timePage(query.cursor, query.limit, (q) => deps.store.gateway.log.query({
          ...opt('email', query.email), ...opt('action', query.action), ...opt('since', query.since), ...beforeOf(q.before, query.until), limit: q.limit,
        }));
        return { items: page.map((e) => ({ ...e, time: iso(e.time) })), nextCursor };
      },
    }),
    defineRoute({
      method: 'get', path: '/logs/provisioning', operationId: 'queryProvisioningLog', tag: 'logs', access: 'read',
      summary: 'SCIM provisioning requests (what the IdP created, changed or removed), newest first',
      query: z.strictObject({ directory: z.string().max(200).optional(), since: timeQuery, until: timeQuery, ...paging }),
      response: pageOf(provisioningEntrySchema, 'ProvisioningLogPage'),
      async handle({ query }) {
        const directoryId = query.directory ? (await pickDirectory(deps.store, query.directory)).id : undefined;
        const { page, nextCursor } = await timePage(query.cursor, query.limit, (q) => deps.store.directory.provisioningLog.query({
          ...opt('directoryId', directoryId), ...opt('since', query.since), ...beforeOf(q.before, query.until), limit: q.limit,
        }));
        return { items: page.map((e) => ({ ...e, time: iso(e.time) })), nextCursor };
      },
    }),
    defineRoute({
      method: 'get', path: '/logs/risk', operationId: 'queryRiskLog', tag: 'logs', access: 'read',
      summary: 'What the risk sync changed (user, from → to, why, which output), newest first',
      query: z.strictObject({
        user: z.string().max(320).optional().meta({ description: 'A user principal name (case-insensitive).' }),
        output: z.enum(['level', 'directory', 'entraGroups']).optional(), since: timeQuery, until: timeQuery, ...paging,
      }),
      response: pageOf(riskEntrySchema, 'RiskLogPage'),
      async handle({ query }) {
        const { page, nextCursor } = await timePage(query.cursor, query.limit, (q) => deps.store.directory.risk.changes({
          ...opt('upn', query.user), ...opt('output', query.output), ...opt('since', query.since), ...beforeOf(q.before, query.until), limit: q.limit,
        }));
        return { items: page.map((e) => ({ ...e, time: iso(e.time) })), nextCursor };
      },
    }),
  ];
}
