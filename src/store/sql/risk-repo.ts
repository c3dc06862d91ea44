// RiskStore over shared SQL. Owns: risk_users and risk_changes rows. Must
// not: decide which users count or which group they belong in (the risk sync does).
import type { GroupLevel, RiskChangeEntry, RiskStore, RiskUserRow } from '../ports-risk.ts';
import { bool, chunks, likePattern, num, placeholders, str, strOrNull, type Row, type SqlExecutor, type SqlParam } from './executor.ts';

const COLS = 'user_id, upn, risk_level, risk_state, is_deleted, risk_last_updated, level, updated_at';
const level = (v: string | null): GroupLevel | null => (v === 'low' || v === 'medium' || v === 'high' ? v : null);

const toRow = (r: Row): RiskUserRow => ({
  userId: str(r, 'user_id'), userPrincipalName: str(r, 'upn'), riskLevel: str(r, 'risk_level'), riskState: str(r, 'risk_state'),
  isDeleted: bool(r, 'is_deleted'), riskLastUpdated: num(r, 'risk_last_updated'), level: level(strOrNull(r, 'level')), updatedAt: num(r, 'updated_at'),
});

const toChange = (r: Row): RiskChangeEntry => ({
  time: num(r, 'time'), cycleId: str(r, 'cycle_id'), userId: str(r, 'user_id'), userPrincipalName: str(r, 'upn'), output: str(r, 'output'),
  groupName: strOrNull(r, 'group_name'), from: level(strOrNull(r, 'from_level')), to: level(strOrNull(r, 'to_level')), reason: str(r, 'reason'),
});

export function riskRepo(ex: SqlExecutor): RiskStore {
  return {
    async list() {
      return (await ex.all(`SELECT ${COLS} FROM risk_users ORDER BY user_id${ex.dialect.binaryCollate}`)).map(toRow);
    },
    async page(q) {
      const where: string[] = [];
      const params: SqlParam[] = [];
      if (q.level) { where.push('level = ?'); params.push(q.level); }
      if (q.search) { where.push(`upn_key LIKE ? ESCAPE '\\'`); params.push(likePattern('co', q.search.toLowerCase())); }
      const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const [c] = await ex.all(`SELECT count(*) AS n FROM risk_users ${w}`, params);
      const rank = "CASE level WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 ELSE 3 END";
      const rows = q.limit <= 0 ? [] : await ex.all(
        `SELECT ${COLS} FROM risk_users ${w} ORDER BY ${rank}, upn_key${ex.dialect.binaryCollate}, user_id${ex.dialect.binaryCollate} LIMIT ? OFFSET ?`,
        [...params, Math.floor(q.limit), Math.max(0, Math.floor(q.offset))],
      );
      return { total: c ? num(c, 'n') : 0, items: rows.map(toRow) };
    },
    async getMany(ids) {
      const out: RiskUserRow[] = [];
      for (const c of chunks([...ids])) {
        for (const r of await ex.all(`SELECT ${COLS} FROM risk_users WHERE user_id IN (${placeholders(c.length)})`, c)) out.push(toRow(r));
      }
      return out;
    },
    async upsert(rows) {
      if (rows.length === 0) return;
      await ex.atomic(async (tx) => {
        for (const u of rows) {
          await tx.run(
            `INSERT INTO risk_users (${COLS}, upn_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET upn = excluded.upn,
             upn_key = excluded.upn_key, risk_level = excluded.risk_level, risk_state = excluded.risk_state, is_deleted = excluded.is_deleted,
             risk_last_updated = excluded.risk_last_updated, level = excluded.level, updated_at = excluded.updated_at`,
            [u.userId, u.userPrincipalName, u.riskLevel, u.riskState, u.isDeleted, u.riskLastUpdated, u.level, u.updatedAt, u.userPrincipalName.toLowerCase()],
          );
        }
      });
    },
    async remove(ids) {
      let n = 0;
      for (const c of chunks([...ids])) n += (await ex.run(`DELETE FROM risk_users WHERE user_id IN (${placeholders(c.length)})`, c)).changes;
      return n;
    },
    async findByUpn(upn) {
      return (await ex.all(`SELECT ${COLS} FROM risk_users WHERE upn_key = ?`, [upn.trim().toLowerCase()])).map(toRow);
    },
    async directoryUsersByUserName(directoryId, upns) {
      const out = new Map<string, string>();
      const keys = [...new Set(upns.map((u) => u.toLowerCase()))];
      for (const c of chunks(keys)) {
        const rows = await ex.all(`SELECT id, user_name_key FROM scim_users WHERE directory_id = ? AND user_name_key IN (${placeholders(c.length)})`, [directoryId, ...c]);
        for (const r of rows) out.set(str(r, 'user_name_key'), str(r, 'id'));
      }
      return out;
    },
    async appendChanges(entries) {
      if (entries.length === 0) return;
      await ex.atomic(async (tx) => {
        for (const e of entries) {
          await tx.run(
            'INSERT INTO risk_changes (time, cycle_id, user_id, upn, output, group_name, from_level, to_level, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
            [e.time, e.cycleId, e.userId, e.userPrincipalName, e.output, e.groupName, e.from, e.to, e.reason],
          );
        }
      });
    },
    async changes(q) {
      const limit = Math.max(0, Math.floor(q.limit));
      const where: string[] = [];
      const params: SqlParam[] = [];
      const add = (cond: string, v: SqlParam | undefined) => { if (v !== undefined) { where.push(cond); params.push(v); } };
      add('cycle_id = ?', q.cycleId);
      add('output = ?', q.output);
      add('lower(upn) = ?', q.upn?.toLowerCase());
      add('time >= ?', q.since);
      add('time < ?', q.before);
      const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const rows = await ex.all(`SELECT * FROM risk_changes ${w} ORDER BY time DESC, seq DESC LIMIT ?`, [...params, limit]);
      return rows.map(toChange);
    },
    async purgeChangesBefore(time) {
      return (await ex.run('DELETE FROM risk_changes WHERE time < ?', [time])).changes;
    },
  };
}
