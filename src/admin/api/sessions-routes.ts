// Admin API: sessions — list with filters, revoke per session, per user or per app (on every
// replica, through SessionService). Owns: these operations and their audit notes. Must not:
// expose session secrets (ids are already hashes of them).
import { z } from 'zod';
import type { SessionRecord } from '../../store/ports.ts';
import { decodeCursor, encodeCursor, keyCursor } from './cursor.ts';
import { type ApiDeps, iso, isoTime, pageOf, paging } from './common.ts';
import { notFound } from './errors.ts';
import { defineRoute, type Route } from './route.ts';

const sessionSchema = z.object({
  id: z.string(),
  kind: z.enum(['global', 'app']),
  parentId: z.string().nullable(),
  appId: z.string().nullable(),
  userKey: z.string(),
  email: z.string(),
  idp: z.string(),
  createdAt: isoTime,
  expiresAt: isoTime,
  lastSeenAt: isoTime,
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
}).meta({ id: 'Session' });

export function sessionView(s: SessionRecord): z.input<typeof sessionSchema> {
  return {
    id: s.id, kind: s.kind, parentId: s.parentId, appId: s.appId, userKey: s.userKey, email: s.email, idp: s.idp,
    createdAt: iso(s.createdAt), expiresAt: iso(s.expiresAt), lastSeenAt: iso(s.lastSeenAt), ip: s.ip, userAgent: s.userAgent,
  };
}

const revokeSchema = z.discriminatedUnion('by', [
  z.strictObject({ by: z.literal('session'), sessionId: z.string().regex(/^[0-9a-f]{64}$/, 'a session id (64 hex digits)') }),
  z.strictObject({ by: z.literal('user'), email: z.email() }),
  z.strictObject({ by: z.literal('app'), appId: z.string().min(1).max(63) }),
]).meta({ id: 'SessionRevocation', description: 'What to revoke: one session (and its app sessions), every session of a user, or every session of an app.' });

export function sessionRoutes(deps: ApiDeps): Route[] {
  const list = defineRoute({
    method: 'get', path: '/sessions', operationId: 'listSessions', tag: 'sessions', access: 'read',
    summary: 'Active sessions, newest first, filtered by user or app',
    query: z.strictObject({ email: z.string().max(320).optional(), userKey: z.string().max(512).optional(), appId: z.string().max(63).optional(), ...paging }),
    response: pageOf(sessionSchema, 'SessionPage'),
    async handle({ query }) {
      // Keyset paging (the last row's createdAt and id), not OFFSET and a count: page 2,000 costs
      // what page 1 does, and sessions created while an admin pages neither repeat nor hide a row.
      const c = decodeCursor(query.cursor, keyCursor);
      const rows = await deps.store.sessions.pageActive({
        ...(query.email ? { email: query.email } : {}), ...(query.userKey ? { userKey: query.userKey } : {}),
        ...(query.appId ? { appId: query.appId } : {}), ...(c ? { after: { createdAt: c.c, id: c.i } } : {}), limit: query.limit + 1,
      }, deps.now());
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return { items: page.map(sessionView), nextCursor: rows.length > query.limit && last ? encodeCursor({ c: last.createdAt, i: last.id }) : null };
    },
  });

  const revoke = defineRoute({
    method: 'post', path: '/sessions/revoke', operationId: 'revokeSessions', tag: 'sessions', access: 'write',
    summary: 'Revoke sessions on every replica: one session, a user\'s, or an app\'s',
    body: revokeSchema,
    response: z.object({ revoked: z.number().int().min(0) }).meta({ id: 'RevocationResult' }),
    async handle({ body }, ctx) {
      const reason = `admin:${ctx.who.actor}`.slice(0, 200);
      if (body.by === 'session') {
        const s = await deps.sessions.resolveById(body.sessionId);
        if (!s) throw notFound('an active session with this id');
        await deps.sessions.revokeFamily(s.id, reason);
        await ctx.audit({ action: 'sessions.revoke', target: `session:${s.id}`, before: sessionView(s), after: { revoked: true } });
        return { revoked: 1 };
      }
      const sel = body.by === 'user' ? { email: body.email.toLowerCase() } : { appId: body.appId };
      const before = await deps.store.sessions.listActive({ ...sel, limit: 0, offset: 0 }, deps.now());
      const revoked = body.by === 'user' ? await deps.sessions.revokeUser({ email: body.email }, reason) : await deps.sessions.revokeApp(body.appId, reason);
      const target = body.by === 'user' ? `user:${body.email.toLowerCase()}` : `app:${body.appId}`;
      await ctx.audit({ action: 'sessions.revoke', target, before: { active: before.total }, after: { active: before.total - revoked, revoked } });
      return { revoked };
    },
  });
  return [list, revoke];
}
