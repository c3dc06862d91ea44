// GroupsRepo over shared SQL. Owns: SCIM group rows and memberships. Must not: read a group's
// whole membership to change it — add/remove cost depends on the delta, not the group's size
// (Entra PATCHes one member at a time into groups of 100,000).
import type { GroupRecord, GroupRow, GroupsRepo, GroupWithMembers, ListQuery, MemberRef } from '../ports.ts';
import { StoreVersionError } from '../errors.ts';
import { chunks, jsonText, num, page, placeholders, str, strOrNull, type Row, type Sql, type SqlDialect, type SqlExecutor } from './executor.ts';
import { filterToSql, sortToSql } from './scim-filter-sql.ts';
import { checkRaw } from './user-repo.ts';

const COLS = 'id, external_id, display_name, raw, version, created_at, last_modified';
// member_count is maintained by applyMembers and user deletion (migration 004), never counted on read.
const SELECT = `SELECT ${COLS.split(', ').map((c) => `t.${c}`).join(', ')}, t.member_count FROM scim_groups t`;

const toGroup = (r: Row): GroupRecord => ({
  id: str(r, 'id'), externalId: strOrNull(r, 'external_id'), displayName: str(r, 'display_name'), raw: jsonText(r, 'raw'),
  version: num(r, 'version'), createdAt: num(r, 'created_at'), lastModified: num(r, 'last_modified'), memberCount: num(r, 'member_count'),
});
const toRef = (r: Row): MemberRef => ({ id: str(r, 'id'), displayName: str(r, 'display_name') });

export function buildGroupListSql(d: SqlDialect, dirId: string, q: ListQuery): { count: Sql; page: Sql } {
  const f = q.filter ? filterToSql(d, 'Group', q.filter) : null;
  const where = `t.directory_id = ?${f ? ` AND (${f.sql})` : ''}`;
  const whereParams = [dirId, ...(f?.params ?? [])];
  const order = sortToSql(d, 'Group', q.sortBy, q.sortOrder);
  const { limit, offset } = page(q.startIndex, q.count);
  return {
    count: { sql: `SELECT count(*) AS n FROM scim_groups t WHERE ${where}`, params: whereParams },
    page: { sql: `${SELECT} WHERE ${where} ORDER BY ${order.sql} LIMIT ? OFFSET ?`, params: [...whereParams, ...order.params, limit, offset] },
  };
}

const MEMBER_JOIN = 'FROM scim_memberships m JOIN scim_users u ON u.directory_id = m.directory_id AND u.id = m.user_id';
const MEMBER_REF = 'u.id AS id, COALESCE(u.display_name, u.user_name) AS display_name';

export function groupRepo(ex: SqlExecutor): GroupsRepo {
  const getOne = async (x: SqlExecutor, dirId: string, id: string) => {
    const [r] = await x.all(`${SELECT} WHERE t.directory_id = ? AND t.id = ?`, [dirId, id]);
    return r ? toGroup(r) : null;
  };
  return {
    async create(dirId, g) {
      checkRaw(g.raw);
      await ex.run(
        'INSERT INTO scim_groups (directory_id, id, external_id, display_name, display_name_key, raw, version, created_at, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [dirId, g.id, g.externalId, g.displayName, g.displayName.toLowerCase(), g.raw, g.version, g.createdAt, g.lastModified],
      );
    },
    get: (dirId, id) => getOne(ex, dirId, id),
    replace(dirId, id, g: GroupRow, expectedVersion) {
      checkRaw(g.raw);
      return ex.atomic(async (tx) => {
        const check = expectedVersion === undefined ? '' : ' AND version = ?';
        const r = await tx.run(
          `UPDATE scim_groups SET external_id = ?, display_name = ?, display_name_key = ?, raw = ?, version = version + 1, last_modified = ? WHERE directory_id = ? AND id = ?${check}`,
          [g.externalId, g.displayName, g.displayName.toLowerCase(), g.raw, g.lastModified, dirId, id, ...(expectedVersion === undefined ? [] : [expectedVersion])],
        );
        const cur = await getOne(tx, dirId, id);
        if (r.changes > 0 || !cur) return cur;
        throw new StoreVersionError(expectedVersion ?? -1, cur.version);
      });
    },
    async delete(dirId, id) {
      return (await ex.run('DELETE FROM scim_groups WHERE directory_id = ? AND id = ?', [dirId, id])).changes > 0;
    },
    async list(dirId, q) {
      const s = buildGroupListSql(ex.dialect, dirId, q);
      const [c] = await ex.all(s.count.sql, s.count.params);
      const total = c ? num(c, 'n') : 0;
      const items: GroupWithMembers[] = s.page.params.at(-2) === 0 ? [] : (await ex.all(s.page.sql, s.page.params)).map(toGroup);
      if (q.withMembers && items.length > 0) {
        const byGroup = new Map<string, MemberRef[]>(items.map((g) => [g.id, []]));
        const rows = await ex.all(
          `SELECT m.group_id AS group_id, ${MEMBER_REF} ${MEMBER_JOIN} WHERE m.directory_id = ? AND m.group_id IN (${placeholders(items.length)}) ORDER BY m.group_id, m.user_id`,
          [dirId, ...items.map((g) => g.id)],
        );
        for (const r of rows) byGroup.get(str(r, 'group_id'))?.push(toRef(r));
        for (const g of items) g.members = byGroup.get(g.id) ?? [];
      }
      return { total, items };
    },
    applyMembers(dirId, groupId, delta) {
      return ex.atomic(async (tx) => {
        const [g] = await tx.all('SELECT id FROM scim_groups WHERE directory_id = ? AND id = ?', [dirId, groupId]);
        if (!g) return null;
        const added = new Set<string>();
        const removed = new Set<string>();
        let net = 0;
        const del = async (ids: string[] | null) => {
          const rows = ids === null
            ? await tx.all('DELETE FROM scim_memberships WHERE directory_id = ? AND group_id = ? RETURNING user_id', [dirId, groupId])
            : await tx.all(`DELETE FROM scim_memberships WHERE directory_id = ? AND group_id = ? AND user_id IN (${placeholders(ids.length)}) RETURNING user_id`, [dirId, groupId, ...ids]);
          net -= rows.length;
          for (const r of rows) { const id = str(r, 'user_id'); added.delete(id) || removed.add(id); }
        };
        const add = async (ids: string[]) => {
          // Only ids that are users of this directory get in; ON CONFLICT skips existing members.
          const rows = await tx.all(
            `INSERT INTO scim_memberships (directory_id, group_id, user_id) SELECT ?, ?, u.id FROM scim_users u WHERE u.directory_id = ? AND u.id IN (${placeholders(ids.length)}) ON CONFLICT DO NOTHING RETURNING user_id`,
            [dirId, groupId, dirId, ...ids],
          );
          net += rows.length;
          for (const r of rows) { const id = str(r, 'user_id'); removed.delete(id) || added.add(id); }
        };
        if (delta.removeAll) await del(null);
        if (delta.replaceAll) {
          // A full replacement is inherently proportional to the group; this is its only full read.
          const want = new Set(delta.replaceAll);
          const current = (await tx.all('SELECT user_id FROM scim_memberships WHERE directory_id = ? AND group_id = ?', [dirId, groupId])).map((r) => str(r, 'user_id'));
          for (const c of chunks(current.filter((id) => !want.has(id)))) await del(c);
          for (const c of chunks([...want])) await add(c);
        }
        for (const c of chunks([...new Set(delta.remove)])) await del(c);
        for (const c of chunks([...new Set(delta.add)])) await add(c);
        if (net !== 0) await tx.run('UPDATE scim_groups SET member_count = member_count + ? WHERE directory_id = ? AND id = ?', [net, dirId, groupId]);
        if (delta.modifiedAt !== undefined && (added.size > 0 || removed.size > 0)) {
          await tx.run('UPDATE scim_groups SET version = version + 1, last_modified = ? WHERE directory_id = ? AND id = ?', [delta.modifiedAt, dirId, groupId]);
        }
        return { added: [...added], removed: [...removed] };
      });
    },
    async members(dirId, groupId, pg) {
      const [c] = await ex.all('SELECT member_count AS n FROM scim_groups WHERE directory_id = ? AND id = ?', [dirId, groupId]);
      const { limit, offset } = page(pg.startIndex, pg.count);
      const rows = limit === 0 ? [] : await ex.all(
        `SELECT ${MEMBER_REF} ${MEMBER_JOIN} WHERE m.directory_id = ? AND m.group_id = ? ORDER BY m.user_id LIMIT ? OFFSET ?`, [dirId, groupId, limit, offset]);
      return { total: c ? num(c, 'n') : 0, items: rows.map(toRef) };
    },
    async groupsOfUser(dirId, userId) {
      const rows = await ex.all(
        `SELECT g.id AS id, g.display_name AS display_name FROM scim_memberships m JOIN scim_groups g ON g.directory_id = m.directory_id AND g.id = m.group_id WHERE m.directory_id = ? AND m.user_id = ? ORDER BY g.display_name_key${ex.dialect.binaryCollate}, g.id`,
        [dirId, userId],
      );
      return rows.map(toRef);
    },
    async groupNamesForEmail(email) {
      const rows = await ex.all(
        'SELECT DISTINCT g.display_name AS display_name FROM scim_users u JOIN scim_memberships m ON m.directory_id = u.directory_id AND m.user_id = u.id JOIN scim_groups g ON g.directory_id = m.directory_id AND g.id = m.group_id WHERE u.email = ? AND u.active = ?',
        [email.toLowerCase(), true],
      );
      return rows.map((r) => str(r, 'display_name')).sort();
    },
  };
}
