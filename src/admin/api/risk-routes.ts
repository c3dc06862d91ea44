// Admin API: the risk sync — its health, the risky users it last read (filter by level, search by
// UPN, paged) and its change history. Owns: these views. Must not: start a cycle or change a
// level (the sync and Entra own them).
import { z } from 'zod';
import { type ApiDeps, iso, isoTime, pageOf, paging } from './common.ts';
import { decodeCursor, nextOffset, offsetCursor } from './cursor.ts';
import { riskHealthSchema, riskHealthView } from './overview-routes.ts';
import { defineRoute, type Route } from './route.ts';

const level = z.enum(['high', 'medium', 'low']);
const riskyUserSchema = z
  .object({
    userId: z.string(),
    userPrincipalName: z.string(),
    riskLevel: z.string(),
    riskState: z.string(),
    level: level.nullable().meta({ description: 'The risk group the sync put the user in; null: none.' }),
    riskLastUpdated: isoTime,
    updatedAt: isoTime,
  })
  .meta({ id: 'RiskyUser' });
const changeSchema = z
  .object({
    time: isoTime,
    cycleId: z.string(),
    userPrincipalName: z.string(),
    output: z.string(),
    groupName: z.string().nullable(),
    from: level.nullable(),
    to: level.nullable(),
    reason: z.string(),
  })
  .meta({ id: 'RiskChange' });

export function riskRoutes(deps: ApiDeps): Route[] {
  return [
    defineRoute({
      method: 'get',
      path: '/risk/status',
      operationId: 'getRiskStatus',
      tag: 'risk',
      access: 'read',
      summary: "The risk sync's health: last cycles, users per level, the last error",
      response: riskHealthSchema,
      async handle() {
        return riskHealthView(deps);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/risk/users',
      operationId: 'listRiskyUsers',
      tag: 'risk',
      access: 'read',
      summary: 'Risky users as last read from Entra ID Protection, highest level first',
      query: z.strictObject({ level: level.optional(), search: z.string().max(320).optional(), ...paging }),
      response: pageOf(riskyUserSchema, 'RiskyUserPage'),
      async handle({ query }) {
        const offset = decodeCursor(query.cursor, offsetCursor)?.o ?? 0;
        // Filtered, sorted and paged in the store: the list once loaded every risky user per request.
        const r = await deps.store.directory.risk.page({
          ...(query.level ? { level: query.level } : {}), ...(query.search ? { search: query.search } : {}), offset, limit: query.limit,
        });
        const page = r.items;
        return {
          items: page.map((u) => ({
            userId: u.userId,
            userPrincipalName: u.userPrincipalName,
            riskLevel: u.riskLevel,
            riskState: u.riskState,
            level: u.level,
            riskLastUpdated: iso(u.riskLastUpdated),
            updatedAt: iso(u.updatedAt),
          })),
          nextCursor: nextOffset(offset, page.length, r.total),
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/risk/changes',
      operationId: 'listRiskChanges',
      tag: 'risk',
      access: 'read',
      summary: 'What the risk sync changed, newest first',
      query: z.strictObject({ limit: paging.limit }),
      response: z.object({ items: z.array(changeSchema) }).meta({ id: 'RiskChangeList' }),
      async handle({ query }) {
        const rows = await deps.store.directory.risk.changes({ limit: query.limit });
        return { items: rows.map((c) => ({ ...c, time: iso(c.time) })) };
      },
    }),
  ];
}
