// AdminTokensRepo and AdminAuditRepo over shared SQL. Owns: admin token hashes and audit rows.
// Must not: compare token hashes itself (the caller re-compares in constant time) or store a
// token, a cookie or any other secret in the audit log.
import type { AdminAuditRepo, AdminTokenRecord, AdminTokensRepo } from '../ports-admin.ts';
import { num, numOrNull, str, strOrNull, type Row, type SqlExecutor, type SqlParam } from './executor.ts';

const TOKEN_COLS = 'id, name, scope, hash, created_at, expires_at, last_used_at, revoked_at';

function toToken(r: Row): AdminTokenRecord {
  const scope = str(r, 'scope');
  if (scope !== 'read' && scope !== 'write') throw new TypeError('column scope: unexpected value');
  return {
    id: str(r, 'id'), name: str(r, 'name'), scope, hash: str(r, 'hash'), createdAt: num(r, 'created_at'),
    expiresAt: num(r, 'expires_at'), lastUsedAt: numOrNull(r, 'last_used_at'), revokedAt: numOrNull(r, 'revoked_at'),
  };
}

export function adminTokensRepo(ex: SqlExecutor): AdminTokensRepo {
  return {
    async create(t) {
      if (!/^[0-9a-f]{64}$/.test(t.hash)) throw new TypeError('token hash must be sha256 hex');
      await ex.run('INSERT INTO admin_tokens (id, name, scope, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
        [t.id, t.name, t.scope, t.hash, t.createdAt, t.expiresAt]);
    },
    async findByHash(hash) {
      const [r] = await ex.all(`SELECT ${TOKEN_COLS} FROM admin_tokens WHERE hash = ?`, [hash]);
      return r ? toToken(r) : null;
    },
    async list() {
      return (await ex.all(`SELECT ${TOKEN_COLS} FROM admin_tokens ORDER BY created_at, id`)).map(toToken);
    },
    async revoke(id, at) {
      return (await ex.run('UPDATE admin_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [at, id])).changes > 0;
    },
    async touch(id, at) {
      await ex.run('UPDATE admin_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)', [at, id, at]);
    },
  };
}

const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));
const parsed = (r: Row, col: string): unknown => {
  const text = strOrNull(r, col);
  return text === null ? null : JSON.parse(text) as unknown;
};

export function adminAuditRepo(ex: SqlExecutor): AdminAuditRepo {
  return {
    async append(e) {
      const [r] = await ex.all(
        'INSERT INTO admin_audit (time, actor, action, target, before_json, after_json, request_id) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq',
        [e.time, e.actor, e.action, e.target, json(e.before), json(e.after), e.requestId],
      );
      if (!r) throw new Error('admin_audit insert returned no row');
      return num(r, 'seq');
    },
    async query(q) {
      const where: string[] = [];
      const params: SqlParam[] = [];
      const add = (cond: string, v: SqlParam | undefined) => { if (v !== undefined) { where.push(cond); params.push(v); } };
      add('actor = ?', q.actor);
      add('action = ?', q.action);
      add('time >= ?', q.since);
      add('time <= ?', q.until);
      add('seq < ?', q.beforeSeq);
      const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const rows = await ex.all(`SELECT * FROM admin_audit ${w} ORDER BY seq DESC LIMIT ?`, [...params, Math.max(0, Math.floor(q.limit))]);
      return rows.map((r) => ({
        seq: num(r, 'seq'), time: num(r, 'time'), actor: str(r, 'actor'), action: str(r, 'action'), target: str(r, 'target'),
        before: parsed(r, 'before_json'), after: parsed(r, 'after_json'), requestId: strOrNull(r, 'request_id'),
      }));
    },
  };
}
