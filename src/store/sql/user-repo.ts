// UsersRepo over shared SQL. Owns: SCIM user rows (indexed columns + raw JSON), case-insensitive
// userName uniqueness, optimistic versions, filtered listing. Must not: interpret SCIM beyond
// the columns — the directory core builds UserRow and canonicalises raw.
import type { Filter } from '../../directory/scim/filter-ast.ts';
import type { DirectoryPageKey, ListQuery, UserRow, UsersRepo } from '../ports.ts';
import { StoreVersionError } from '../errors.ts';
import { bool, chunks, jsonText, num, page, placeholders, str, strOrNull, type Row, type Sql, type SqlDialect, type SqlExecutor, type SqlParam } from './executor.ts';
import { filterToSql, sortToSql } from './scim-filter-sql.ts';

const COLS = 'id, external_id, user_name, active, display_name, email, given_name, family_name, raw, version, created_at, last_modified';

export function toUserRow(r: Row): UserRow {
  return {
    id: str(r, 'id'), externalId: strOrNull(r, 'external_id'), userName: str(r, 'user_name'), active: bool(r, 'active'),
    displayName: strOrNull(r, 'display_name'), email: strOrNull(r, 'email'), givenName: strOrNull(r, 'given_name'),
    familyName: strOrNull(r, 'family_name'), raw: jsonText(r, 'raw'), version: num(r, 'version'),
    createdAt: num(r, 'created_at'), lastModified: num(r, 'last_modified'),
  };
}

/** raw must be a JSON object: SQLite would store anything, and json_each on garbage fails later. */
export function checkRaw(raw: string): void {
  let v: unknown;
  try { v = JSON.parse(raw); } catch { throw new TypeError('raw must be JSON'); }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TypeError('raw must be a JSON object');
}

/** The two statements behind list(), exported so tests can EXPLAIN exactly what runs. */
export function buildUserListSql(d: SqlDialect, dirId: string, q: ListQuery): { count: Sql; page: Sql } {
  const f = q.filter ? filterToSql(d, 'User', q.filter) : null;
  const where = `t.directory_id = ?${f ? ` AND (${f.sql})` : ''}`;
  const whereParams = [dirId, ...(f?.params ?? [])];
  const order = sortToSql(d, 'User', q.sortBy, q.sortOrder);
  const { limit, offset } = page(q.startIndex, q.count);
  return {
    count: { sql: `SELECT count(*) AS n FROM scim_users t WHERE ${where}`, params: whereParams },
    page: { sql: `SELECT ${COLS.split(', ').map((c) => `t.${c}`).join(', ')} FROM scim_users t WHERE ${where} ORDER BY ${order.sql} LIMIT ? OFFSET ?`, params: [...whereParams, ...order.params, limit, offset] },
  };
}

/** A name search's condition: userName or displayName contains the text, case-insensitively. */
export function nameSearchFilter(search: string): Filter {
  return { op: 'or', left: { op: 'co', path: { attr: 'username' }, value: search }, right: { op: 'co', path: { attr: 'displayname' }, value: search } };
}

/**
 * Up to this many users found by the trigram index are read and sorted; a search matching more reads
 * users in page order instead (the first page fills long before the end), checking each row.
 */
export const SEARCH_INDEX_CAP = 2_000;

/** The FTS5 trigram query for a substring (a quoted phrase), or null below three characters. */
export function trigramPhrase(search: string): string | null {
  const text = search.toLowerCase();
  return [...text].length >= 3 ? `"${text.replaceAll('"', '""')}"` : null;
}

type PageQuery = { filter?: Filter; search?: string; after?: DirectoryPageKey; limit: number };

/**
 * pageAfter's statement, exported so tests can EXPLAIN it: the (directory_id, created_at, id) index
 * serves it. `viaIndex` (SQLite) starts from the users the trigram index finds for the search (a
 * quoted phrase); the exact condition is still checked on every row.
 */
export function buildUserPageSql(d: SqlDialect, dirId: string, q: PageQuery, viaIndex?: string): Sql {
  const filters = [q.filter, q.search === undefined ? undefined : nameSearchFilter(q.search)].filter((f) => f !== undefined);
  const where = ['t.directory_id = ?'];
  const params: SqlParam[] = [dirId];
  let from = 'scim_users t';
  if (viaIndex !== undefined) {
    // CROSS JOIN fixes the order: index matches first, then their users by primary key.
    // The index's matches plus the users not folded into it yet (migration 017).
    from = '(SELECT k.directory_id AS d, k.id AS i FROM scim_users_search f CROSS JOIN scim_users_search_keys k'
      + ' WHERE f.scim_users_search MATCH ? AND k.k = f.rowid UNION SELECT directory_id, id FROM scim_users_search_pending) s'
      + ' CROSS JOIN scim_users t';
    where.unshift('t.directory_id = s.d', 't.id = s.i');
    params.unshift(viaIndex);
  }
  if (q.after) {
    // Rows after (c, i) in (created_at, id) order; `created_at >= c` gives the index a range start.
    where.push('t.created_at >= ?', '(t.created_at > ? OR t.id > ?)');
    params.push(q.after.createdAt, q.after.createdAt, q.after.id);
  }
  for (const f of filters) {
    const s = filterToSql(d, 'User', f);
    where.push(`(${s.sql})`);
    params.push(...s.params);
  }
  const cols = COLS.split(', ').map((c) => `t.${c}`).join(', ');
  return { sql: `SELECT ${cols} FROM ${from} WHERE ${where.join(' AND ')} ORDER BY t.created_at, t.id LIMIT ?`, params: [...params, Math.max(0, Math.floor(q.limit))] };
}

/**
 * SQLite: whether a search should start from the trigram index (migration 014) — when the text is
 * long enough to have trigrams and matches few enough users to sort. PostgreSQL's planner makes this
 * choice itself with its pg_trgm indexes.
 */
async function trigramStart(ex: SqlExecutor, search: string | undefined): Promise<string | undefined> {
  if (ex.dialect.name !== 'sqlite' || search === undefined) return undefined;
  const phrase = trigramPhrase(search);
  if (phrase === null) return undefined;
  const [r] = await ex.all(
    'SELECT (SELECT count(*) FROM (SELECT rowid FROM scim_users_search WHERE scim_users_search MATCH ? LIMIT ?)) + (SELECT count(*) FROM scim_users_search_pending) AS n',
    [phrase, SEARCH_INDEX_CAP + 1],
  );
  return r && num(r, 'n') <= SEARCH_INDEX_CAP ? phrase : undefined;
}

function values(u: UserRow) {
  checkRaw(u.raw);
  return [u.externalId, u.userName, u.userName.toLowerCase(), u.active, u.displayName, u.email?.toLowerCase() ?? null, u.givenName, u.familyName, u.raw] as const;
}

export function userRepo(ex: SqlExecutor): UsersRepo {
  return {
    async create(dirId, u) {
      await ex.run(
        'INSERT INTO scim_users (directory_id, id, external_id, user_name, user_name_key, active, display_name, email, given_name, family_name, raw, version, created_at, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [dirId, u.id, ...values(u), u.version, u.createdAt, u.lastModified],
      );
    },
    async get(dirId, id) {
      const [r] = await ex.all(`SELECT ${COLS} FROM scim_users WHERE directory_id = ? AND id = ?`, [dirId, id]);
      return r ? toUserRow(r) : null;
    },
    async getMany(dirId, ids) {
      const out: UserRow[] = [];
      for (const c of chunks([...new Set(ids)])) {
        for (const r of await ex.all(`SELECT ${COLS} FROM scim_users WHERE directory_id = ? AND id IN (${placeholders(c.length)})`, [dirId, ...c])) out.push(toUserRow(r));
      }
      return out;
    },
    async findByUserName(dirId, userName) {
      const [r] = await ex.all(`SELECT ${COLS} FROM scim_users WHERE directory_id = ? AND user_name_key = ?`, [dirId, userName.toLowerCase()]);
      return r ? toUserRow(r) : null;
    },
    async findByEmail(email) {
      const rows = await ex.all('SELECT directory_id, id, user_name, active FROM scim_users WHERE email = ? ORDER BY directory_id, id', [email.toLowerCase()]);
      return rows.map((r) => ({ directoryId: str(r, 'directory_id'), id: str(r, 'id'), userName: str(r, 'user_name'), active: bool(r, 'active') }));
    },
    replace(dirId, id, u, expectedVersion) {
      const v = values(u);
      return ex.atomic(async (tx) => {
        const versionCheck = expectedVersion === undefined ? '' : ' AND version = ?';
        const [r] = await tx.all(
          `UPDATE scim_users SET external_id = ?, user_name = ?, user_name_key = ?, active = ?, display_name = ?, email = ?, given_name = ?, family_name = ?, raw = ?, version = version + 1, last_modified = ? WHERE directory_id = ? AND id = ?${versionCheck} RETURNING ${COLS}`,
          [...v, u.lastModified, dirId, id, ...(expectedVersion === undefined ? [] : [expectedVersion])],
        );
        if (r) return toUserRow(r);
        const [cur] = await tx.all('SELECT version FROM scim_users WHERE directory_id = ? AND id = ?', [dirId, id]);
        if (!cur) return null;
        throw new StoreVersionError(expectedVersion ?? -1, num(cur, 'version'));
      });
    },
    async delete(dirId, id) {
      // Memberships go with the user through ON DELETE CASCADE; the groups' counts follow first.
      return ex.atomic(async (tx) => {
        await tx.run('UPDATE scim_groups SET member_count = member_count - 1 WHERE directory_id = ? AND id IN (SELECT group_id FROM scim_memberships WHERE directory_id = ? AND user_id = ?)', [dirId, dirId, id]);
        return (await tx.run('DELETE FROM scim_users WHERE directory_id = ? AND id = ?', [dirId, id])).changes > 0;
      });
    },
    async list(dirId, q) {
      const s = buildUserListSql(ex.dialect, dirId, q);
      const [c] = await ex.all(s.count.sql, s.count.params);
      const total = c ? num(c, 'n') : 0;
      const limit = s.page.params.at(-2);
      const items = limit === 0 ? [] : (await ex.all(s.page.sql, s.page.params)).map(toUserRow);
      return { total, items };
    },
    async pageAfter(dirId, q) {
      if (q.limit <= 0) return [];
      const s = buildUserPageSql(ex.dialect, dirId, q, await trigramStart(ex, q.search));
      return (await ex.all(s.sql, s.params)).map(toUserRow);
    },
  };
}
