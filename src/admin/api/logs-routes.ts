// Admin API: the access log and the admin audit log, filtered and cursor-paged newest first.
// Owns: the audit log's sequence cursor (the access log's time cursor is time-cursor.ts's, shared
// with the other logs: a page that ends inside a millisecond loses and repeats nothing).
// Must not: return more than a page, or anything the stores did not record.
import { z } from 'zod';
import { type ApiDeps, iso, isoTime, pageOf, paging, timeQuery } from './common.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { defineRoute, type Route } from './route.ts';
import { timePage } from './time-cursor.ts';

const accessEntrySchema = z.object({
  time: isoTime, requestId: z.string(), userKey: z.string().nullable(), email: z.string().nullable(), appId: z.string().nullable(),
  host: z.string(), path: z.string(), method: z.string(), action: z.string(), policy: z.string().nullable(), reasons: z.array(z.string()),
  status: z.number().int(), durationMs: z.number(), clientIp: z.string(),
}).meta({ id: 'AccessLogEntry' });
const auditEntrySchema = z.object({
  seq: z.number().int(), time: isoTime, actor: z.string(), action: z.string(), target: z.string(),
  before: z.unknown(), after: z.unknown(), requestId: z.string().nullable(),
}).meta({ id: 'AuditLogEntry' });

const auditCursor = z.strictObject({ s: z.number().int().min(1) });

export function logRoutes(deps: ApiDeps): Route[] {
  return [
    defineRoute({
      method: 'get', path: '/logs/access', operationId: 'queryAccessLog', tag: 'logs', access: 'read',
      summary: 'Access decisions, newest first',
      query: z.strictObject({
        email: z.string().max(320).optional(), appId: z.string().max(63).optional(), action: z.string().max(32).optional(),
        since: timeQuery, until: timeQuery, ...paging,
      }),
      response: pageOf(accessEntrySchema, 'AccessLogPage'),
      async handle({ query }) {
        const { page, nextCursor } = await timePage(query.cursor, query.limit, (q) => deps.store.accessLog.query({
          ...(query.email ? { email: query.email } : {}), ...(query.appId ? { appId: query.appId } : {}), ...(query.action ? { action: query.action } : {}),
          ...(query.since !== undefined ? { since: query.since } : {}), ...(query.until !== undefined ? { until: query.until } : {}), ...q,
        }));
        return { items: page.map((e) => ({ ...e, time: iso(e.time) })), nextCursor };
      },
    }),
    defineRoute({
      method: 'get', path: '/logs/audit', operationId: 'queryAuditLog', tag: 'logs', access: 'read',
      summary: 'Every state-changing admin call: who, what, before and after; newest first',
      query: z.strictObject({ actor: z.string().max(400).optional(), action: z.string().max(64).optional(), since: timeQuery, until: timeQuery, ...paging }),
      response: pageOf(auditEntrySchema, 'AuditLogPage'),
      async handle({ query }) {
        const c = decodeCursor(query.cursor, auditCursor);
        const rows = await deps.store.admin.audit.query({
          ...(query.actor ? { actor: query.actor } : {}), ...(query.action ? { action: query.action } : {}),
          ...(query.since !== undefined ? { since: query.since } : {}), ...(query.until !== undefined ? { until: query.until } : {}),
          ...(c ? { beforeSeq: c.s } : {}), limit: query.limit + 1,
        });
        const page = rows.slice(0, query.limit);
        const last = page.at(-1);
        return { items: page.map((e) => ({ ...e, time: iso(e.time) })), nextCursor: rows.length > query.limit && last ? encodeCursor({ s: last.seq }) : null };
      },
    }),
  ];
}
