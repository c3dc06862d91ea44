// DirectoriesRepo, ScimTokensRepo and ProvisioningLogRepo over shared SQL. Owns: tenant rows,
// SCIM token hashes, the provisioning log. Must not: compare token hashes itself — findByHash is
// an indexed lookup and the caller re-compares in constant time.
import type { DirectoriesRepo, DirectoryRecord, ProvisioningLogEntry, ProvisioningLogRepo, ScimTokenRecord, ScimTokensRepo } from '../ports.ts';
import { num, numOrNull, str, strOrNull, type Row, type SqlExecutor, type SqlParam } from './executor.ts';

const toDirectory = (r: Row): DirectoryRecord => ({ id: str(r, 'id'), name: str(r, 'name'), createdAt: num(r, 'created_at') });

export function directoriesRepo(ex: SqlExecutor): DirectoriesRepo {
  return {
    async create(d) {
      await ex.run('INSERT INTO directories (id, name, name_key, created_at) VALUES (?, ?, ?, ?)', [d.id, d.name, d.name.toLowerCase(), d.createdAt]);
    },
    async get(id) {
      const [r] = await ex.all('SELECT id, name, created_at FROM directories WHERE id = ?', [id]);
      return r ? toDirectory(r) : null;
    },
    async getByName(name) {
      const [r] = await ex.all('SELECT id, name, created_at FROM directories WHERE name_key = ?', [name.toLowerCase()]);
      return r ? toDirectory(r) : null;
    },
    async list() {
      return (await ex.all(`SELECT id, name, created_at FROM directories ORDER BY name_key${ex.dialect.binaryCollate}, id`)).map(toDirectory);
    },
  };
}

const toToken = (r: Row): ScimTokenRecord => ({
  id: str(r, 'id'), directoryId: str(r, 'directory_id'), name: str(r, 'name'), hash: str(r, 'hash'),
  createdAt: num(r, 'created_at'), lastUsedAt: numOrNull(r, 'last_used_at'), revokedAt: numOrNull(r, 'revoked_at'),
});
const TOKEN_COLS = 'id, directory_id, name, hash, created_at, last_used_at, revoked_at';

export function scimTokensRepo(ex: SqlExecutor): ScimTokensRepo {
  return {
    async create(t) {
      if (!/^[0-9a-f]{64}$/.test(t.hash)) throw new TypeError('token hash must be sha256 hex');
      await ex.run('INSERT INTO scim_tokens (id, directory_id, name, hash, created_at) VALUES (?, ?, ?, ?, ?)', [t.id, t.directoryId, t.name, t.hash, t.createdAt]);
    },
    async findByHash(hash) {
      const [r] = await ex.all(`SELECT ${TOKEN_COLS} FROM scim_tokens WHERE hash = ?`, [hash]);
      return r ? toToken(r) : null;
    },
    async list(directoryId) {
      const rows = directoryId === undefined
        ? await ex.all(`SELECT ${TOKEN_COLS} FROM scim_tokens ORDER BY created_at, id`)
        : await ex.all(`SELECT ${TOKEN_COLS} FROM scim_tokens WHERE directory_id = ? ORDER BY created_at, id`, [directoryId]);
      return rows.map(toToken);
    },
    async revoke(id, at) {
      return (await ex.run('UPDATE scim_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [at, id])).changes > 0;
    },
    async touch(id, at) {
      await ex.run('UPDATE scim_tokens SET last_used_at = ? WHERE id = ?', [at, id]);
    },
  };
}

const toLog = (r: Row): ProvisioningLogEntry => ({
  time: num(r, 'time'), directoryId: str(r, 'directory_id'), method: str(r, 'method'), path: str(r, 'path'),
  operation: str(r, 'operation'), resourceType: strOrNull(r, 'resource_type'), resourceId: strOrNull(r, 'resource_id'),
  externalId: strOrNull(r, 'external_id'), status: num(r, 'status'), error: strOrNull(r, 'error'), durationMs: num(r, 'duration_ms'),
});

export function provisioningLogRepo(ex: SqlExecutor): ProvisioningLogRepo {
  return {
    async append(e) {
      await ex.run(
        'INSERT INTO provisioning_log (time, directory_id, method, path, operation, resource_type, resource_id, external_id, status, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [e.time, e.directoryId, e.method, e.path, e.operation, e.resourceType, e.resourceId, e.externalId, e.status, e.error, e.durationMs],
      );
    },
    async query(q) {
      const where: string[] = [];
      const params: SqlParam[] = [];
      if (q.directoryId !== undefined) { where.push('directory_id = ?'); params.push(q.directoryId); }
      if (q.since !== undefined) { where.push('time >= ?'); params.push(q.since); }
      if (q.before !== undefined) { where.push('time < ?'); params.push(q.before); }
      const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const rows = await ex.all(`SELECT * FROM provisioning_log ${w} ORDER BY time DESC, seq DESC LIMIT ?`, [...params, Math.max(0, Math.floor(q.limit))]);
      return rows.map(toLog);
    },
    async purgeBefore(time) {
      return (await ex.run('DELETE FROM provisioning_log WHERE time < ?', [time])).changes;
    },
  };
}
