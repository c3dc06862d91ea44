// SessionStore over shared SQL (both dialects). Owns: session rows, revocation cascade to app
// sessions. Must not: see session secrets (ids are already sha256 hashes) or decide validity —
// it returns revoked and expired sessions and lets the identity capability judge.
import type { SessionRecord, SessionStore } from '../ports.ts';
import { num, numOrNull, str, strOrNull, type Row, type Sql, type SqlExecutor, type SqlParam } from './executor.ts';

const COLS = 'id, kind, parent_id, app_id, user_key, email, idp, identity, created_at, expires_at, last_seen_at, ip, user_agent, revoked_at, revoked_reason, idp_sid, idp_sub';

function toRecord(r: Row): SessionRecord {
  return { ...withoutIdentity(r), identity: JSON.parse(str(r, 'identity')) as unknown };
}

/**
 * A listed session: lists (the admin API, the launcher) never read the identity, and parsing every
 * row's identity JSON (groups and all) was most of a 500-row page's mapping cost, so it is parsed
 * on first read of `identity` (the CLI's --json does), not on listing.
 */
function toListedRecord(r: Row): SessionRecord {
  const text = str(r, 'identity');
  const rec = withoutIdentity(r) as SessionRecord;
  let parsed: { value: unknown } | null = null;
  Object.defineProperty(rec, 'identity', {
    enumerable: true,
    get: () => (parsed ??= { value: JSON.parse(text) as unknown }).value,
  });
  return rec;
}

function withoutIdentity(r: Row): Omit<SessionRecord, 'identity'> {
  const kind = str(r, 'kind');
  if (kind !== 'global' && kind !== 'app') throw new TypeError('column kind: unexpected value');
  return {
    id: str(r, 'id'), kind, parentId: strOrNull(r, 'parent_id'), appId: strOrNull(r, 'app_id'),
    userKey: str(r, 'user_key'), email: str(r, 'email'), idp: str(r, 'idp'),
    createdAt: num(r, 'created_at'), expiresAt: num(r, 'expires_at'), lastSeenAt: num(r, 'last_seen_at'),
    ip: strOrNull(r, 'ip'), userAgent: strOrNull(r, 'user_agent'),
    revokedAt: numOrNull(r, 'revoked_at'), revokedReason: strOrNull(r, 'revoked_reason'),
    idpSid: strOrNull(r, 'idp_sid'), idpSub: strOrNull(r, 'idp_sub'),
  };
}

/** `user_key = ? OR email = ?` for the given selectors; an empty one fails closed, never "every user". */
function userMatch(sel: { userKey?: string; email?: string }, method: string): { match: string; params: SqlParam[] } {
  const where: string[] = [];
  const params: SqlParam[] = [];
  if (sel.userKey !== undefined) { where.push('user_key = ?'); params.push(sel.userKey); }
  if (sel.email !== undefined) { where.push('email = ?'); params.push(sel.email.toLowerCase()); }
  if (where.length === 0) throw new TypeError(`${method} needs userKey or email`);
  return { match: where.join(' OR '), params };
}

/** The conditions listActive and pageActive share: active at `now`, and every given filter. */
function activeWhere(f: { userKey?: string; email?: string; appId?: string }, now: number): { where: string[]; params: SqlParam[] } {
  const where = ['revoked_at IS NULL', 'expires_at > ?'];
  const params: SqlParam[] = [now];
  if (f.userKey !== undefined) { where.push('user_key = ?'); params.push(f.userKey); }
  if (f.email !== undefined) { where.push('email = ?'); params.push(f.email.toLowerCase()); }
  if (f.appId !== undefined) { where.push('app_id = ?'); params.push(f.appId); }
  return { where, params };
}

/** pageActive's statement, exported so tests can EXPLAIN it (migration 011's indexes serve it). */
export function buildSessionPageSql(f: Parameters<SessionStore['pageActive']>[0], now: number): Sql {
  const { where, params } = activeWhere(f, now);
  if (f.after) {
    // Newest first, ties by id ascending: rows after (c, i) are older than c, or as old with a
    // greater id. The redundant `created_at <= c` gives the index a range to start from.
    where.push('created_at <= ?', '(created_at < ? OR id > ?)');
    params.push(f.after.createdAt, f.after.createdAt, f.after.id);
  }
  return { sql: `SELECT ${COLS} FROM sessions WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id ASC LIMIT ?`, params: [...params, Math.max(0, Math.floor(f.limit))] };
}

export function sessionRepo(ex: SqlExecutor): SessionStore {
  return {
    async create(s) {
      if (s.kind !== 'global' && s.kind !== 'app') throw new TypeError('session kind must be global or app');
      await ex.run(`INSERT INTO sessions (${COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
        s.id, s.kind, s.parentId, s.appId, s.userKey, s.email.toLowerCase(), s.idp, JSON.stringify(s.identity ?? null),
        s.createdAt, s.expiresAt, s.lastSeenAt, s.ip, s.userAgent, s.revokedAt, s.revokedReason, s.idpSid ?? null, s.idpSub ?? null,
      ]);
    },
    async get(id) {
      const [row] = await ex.all(`SELECT ${COLS} FROM sessions WHERE id = ?`, [id]);
      return row ? toRecord(row) : null;
    },
    async touch(id, at) {
      // Portable max(): requests finishing out of order must not move lastSeenAt backwards.
      await ex.run('UPDATE sessions SET last_seen_at = CASE WHEN last_seen_at < ? THEN ? ELSE last_seen_at END WHERE id = ?', [at, at, id]);
    },
    revoke(id, reason, at) {
      return ex.atomic(async (tx) => {
        const self = await tx.run('UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL', [at, reason, id]);
        await tx.run('UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE parent_id = ? AND revoked_at IS NULL', [at, reason, id]);
        return self.changes > 0;
      });
    },
    async revokeUser(sel, reason, at) {
      // Fail closed on an empty selector rather than revoking nothing (or everything) silently.
      const { match, params } = userMatch(sel, 'revokeUser');
      const rows = await ex.all(
        `UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE revoked_at IS NULL AND (${match} OR parent_id IN (SELECT id FROM sessions WHERE ${match})) RETURNING user_key`,
        [at, reason, ...params, ...params],
      );
      return { revoked: rows.length, userKeys: [...new Set(rows.map((r) => str(r, 'user_key')))].sort() };
    },
    async countForUser(sel) {
      const { match, params } = userMatch(sel, 'countForUser');
      const [row] = await ex.all(`SELECT count(*) AS n FROM sessions WHERE ${match}`, params);
      return row ? num(row, 'n') : 0;
    },
    revokeIdpSessions(sel, reason, at) {
      const where = ["kind = 'global'", 'revoked_at IS NULL', 'idp = ?'];
      const params: SqlParam[] = [sel.idp];
      if (sel.sid !== undefined) { where.push('idp_sid = ?'); params.push(sel.sid); }
      if (sel.sub !== undefined) { where.push('idp_sub = ?'); params.push(sel.sub); }
      // Fail closed: without sid or sub this would end every sign-in through the IdP.
      if (params.length === 1) throw new TypeError('revokeIdpSessions needs sid or sub');
      return ex.atomic(async (tx) => {
        const rows = await tx.all(`UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE ${where.join(' AND ')} RETURNING id`, [at, reason, ...params]);
        const ids = rows.map((r) => str(r, 'id')).sort();
        for (const id of ids) await tx.run('UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE parent_id = ? AND revoked_at IS NULL', [at, reason, id]);
        return ids;
      });
    },
    async revokeApp(appId, reason, at) {
      const r = await ex.run('UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE app_id = ? AND revoked_at IS NULL', [at, reason, appId]);
      return r.changes;
    },
    async listActive(f, now) {
      const { where, params } = activeWhere(f, now);
      const w = where.join(' AND ');
      const [countRow] = await ex.all(`SELECT count(*) AS n FROM sessions WHERE ${w}`, params);
      const limit = Math.max(0, Math.floor(f.limit));
      const offset = Math.max(0, Math.floor(f.offset));
      const rows = limit === 0 ? [] : await ex.all(
        `SELECT ${COLS} FROM sessions WHERE ${w} ORDER BY created_at DESC, id ASC LIMIT ? OFFSET ?`, [...params, limit, offset]);
      return { total: countRow ? num(countRow, 'n') : 0, items: rows.map(toListedRecord) };
    },
    async pageActive(f, now) {
      if (f.limit <= 0) return [];
      const q = buildSessionPageSql(f, now);
      return (await ex.all(q.sql, q.params)).map(toListedRecord);
    },
    async purgeExpired(before) {
      const r = await ex.run('DELETE FROM sessions WHERE expires_at < ? OR (revoked_at IS NOT NULL AND revoked_at < ?)', [before, before]);
      return r.changes;
    },
  };
}
