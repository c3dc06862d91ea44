// Admin API: the SCIM directory, read-only (SCIM owns writes) — directories, users with their
// groups and sessions, groups with members; paging and a contains-search. Owns: these reads.
// Must not: build SQL or a filter from unparsed text — search is one literal `co` value.
import { z } from 'zod';
import type { Filter } from '../../directory/scim/filter-ast.ts';
import type { DirectoryRecord, Store, UserRow } from '../../store/ports.ts';
import { type ApiDeps, iso, isoTime, MAX_PAGE, pageOf, paging } from './common.ts';
import { decodeCursor, encodeCursor, keyCursor, nextOffset, offsetCursor } from './cursor.ts';
import { ApiError, notFound } from './errors.ts';
import { defineRoute, type Route } from './route.ts';
import { sessionView } from './sessions-routes.ts';

const directorySchema = z.object({ id: z.string(), name: z.string(), createdAt: isoTime }).meta({ id: 'Directory' });
const userSchema = z.object({
  directoryId: z.string(), id: z.string(), userName: z.string(), displayName: z.string().nullable(), email: z.string().nullable(),
  externalId: z.string().nullable(), active: z.boolean(), createdAt: isoTime, lastModified: isoTime,
}).meta({ id: 'DirectoryUser' });
const groupSchema = z.object({
  directoryId: z.string(), id: z.string(), displayName: z.string(), externalId: z.string().nullable(), memberCount: z.number().int(),
}).meta({ id: 'DirectoryGroup' });
const ref = z.object({ id: z.string(), displayName: z.string() });

const listQuery = z.strictObject({
  directory: z.string().max(200).optional().meta({ description: 'Directory id or name; optional when there is only one.' }),
  search: z.string().min(1).max(200).optional().meta({ description: 'Case-insensitive substring of the name (userName/displayName).' }),
  ...paging,
});
const itemParams = z.strictObject({ directoryId: z.string().max(200), id: z.string().max(200) });

const userView = (directoryId: string, u: UserRow): z.input<typeof userSchema> => ({
  directoryId, id: u.id, userName: u.userName, displayName: u.displayName, email: u.email, externalId: u.externalId,
  active: u.active, createdAt: iso(u.createdAt), lastModified: iso(u.lastModified),
});

export async function pickDirectory(store: Store, wanted: string | undefined): Promise<DirectoryRecord> {
  if (wanted !== undefined) {
    const d = (await store.directory.directories.get(wanted)) ?? (await store.directory.directories.getByName(wanted));
    if (!d) throw notFound(`directory "${wanted}"`);
    return d;
  }
  const all = await store.directory.directories.list();
  if (all.length === 1) return all[0]!;
  throw new ApiError('invalid_request', 'the request query is invalid', [{
    path: 'query.directory', message: all.length === 0 ? 'no directory exists yet (create a SCIM token first)' : `choose one of: ${all.map((d) => d.name).join(', ')}`,
  }]);
}

const contains = (attr: string, value: string): Filter => ({ op: 'co', path: { attr }, value });

export function directoryRoutes(deps: ApiDeps): Route[] {
  const store = deps.store;
  return [
    defineRoute({
      method: 'get', path: '/directory/directories', operationId: 'listDirectories', tag: 'directory', access: 'read',
      summary: 'SCIM directories (one per provisioning connection)',
      response: z.object({ items: z.array(directorySchema) }).meta({ id: 'DirectoryList' }),
      async handle() {
        return { items: (await store.directory.directories.list()).map((d) => ({ id: d.id, name: d.name, createdAt: iso(d.createdAt) })) };
      },
    }),
    defineRoute({
      method: 'get', path: '/directory/users', operationId: 'listDirectoryUsers', tag: 'directory', access: 'read',
      summary: 'Provisioned users, oldest first, with an optional name search',
      query: listQuery,
      response: pageOf(userSchema, 'DirectoryUserPage'),
      async handle({ query }) {
        const dir = await pickDirectory(store, query.directory);
        // Keyset paging on (createdAt, id), without a count: with 100,000 users a count (and an
        // OFFSET deep in the list) would cost a scan per page; a search starts from a trigram index.
        const c = decodeCursor(query.cursor, keyCursor);
        const rows = await store.directory.users.pageAfter(dir.id, { limit: query.limit + 1, ...(query.search ? { search: query.search } : {}), ...(c ? { after: { createdAt: c.c, id: c.i } } : {}) });
        const page = rows.slice(0, query.limit);
        const last = page.at(-1);
        return { items: page.map((u) => userView(dir.id, u)), nextCursor: rows.length > query.limit && last ? encodeCursor({ c: last.createdAt, i: last.id }) : null };
      },
    }),
    defineRoute({
      method: 'get', path: '/directory/users/{directoryId}/{id}', operationId: 'getDirectoryUser', tag: 'directory', access: 'read',
      summary: 'One user with their groups and active sessions',
      params: itemParams,
      response: userSchema.extend({ groups: z.array(ref), sessions: z.array(z.looseObject({ id: z.string() })) }).meta({ id: 'DirectoryUserDetail' }),
      async handle({ params }) {
        const u = await store.directory.users.get(params.directoryId, params.id);
        if (!u) throw notFound('user');
        const groups = await store.directory.groups.groupsOfUser(params.directoryId, u.id);
        const email = u.email ?? u.userName;
        const sessions = (await store.sessions.listActive({ email, limit: 100, offset: 0 }, deps.now())).items.map(sessionView);
        return { ...userView(params.directoryId, u), groups, sessions };
      },
    }),
    defineRoute({
      method: 'get', path: '/directory/groups', operationId: 'listDirectoryGroups', tag: 'directory', access: 'read',
      summary: 'Provisioned groups, with an optional name search',
      query: listQuery,
      response: pageOf(groupSchema, 'DirectoryGroupPage'),
      async handle({ query }) {
        const dir = await pickDirectory(store, query.directory);
        const offset = decodeCursor(query.cursor, offsetCursor)?.o ?? 0;
        const r = await store.directory.groups.list(dir.id, {
          startIndex: offset + 1, count: query.limit, withMembers: false, ...(query.search ? { filter: contains('displayname', query.search) } : {}),
        });
        const items = r.items.map((g) => ({ directoryId: dir.id, id: g.id, displayName: g.displayName, externalId: g.externalId, memberCount: g.memberCount }));
        return { items, nextCursor: nextOffset(offset, r.items.length, r.total) };
      },
    }),
    defineRoute({
      method: 'get', path: '/directory/groups/{directoryId}/{id}', operationId: 'getDirectoryGroup', tag: 'directory', access: 'read',
      summary: 'One group with a page of its members (by user id)',
      params: itemParams,
      query: z.strictObject({ ...paging }),
      response: groupSchema.extend({ members: z.array(ref), nextCursor: z.string().nullable() }).meta({ id: 'DirectoryGroupDetail' }),
      async handle({ params, query }) {
        const g = await store.directory.groups.get(params.directoryId, params.id);
        if (!g) throw notFound('group');
        const offset = decodeCursor(query.cursor, offsetCursor)?.o ?? 0;
        const m = await store.directory.groups.members(params.directoryId, g.id, { startIndex: offset + 1, count: Math.min(query.limit, MAX_PAGE) });
        return {
          directoryId: params.directoryId, id: g.id, displayName: g.displayName, externalId: g.externalId, memberCount: g.memberCount,
          members: m.items, nextCursor: nextOffset(offset, m.items.length, m.total),
        };
      },
    }),
  ];
}
