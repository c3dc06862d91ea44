// ConfigObjectsRepo over shared SQL. Owns: config_objects rows and the version check. Must not:
// interpret bodies (they round-trip as JSON text).
import { StoreConflictError, StoreVersionError } from '../errors.ts';
import type { ConfigObjectKind, ConfigObjectRecord, ConfigObjectsRepo } from '../ports-config.ts';
import { num, str, type Row, type SqlExecutor } from './executor.ts';

const COLS = 'kind, id, body_json, version, created_at, created_by, updated_at, updated_by';
const KINDS: readonly string[] = ['app', 'policy', 'ruleGroup', 'identityProvider'];

function toRecord(r: Row): ConfigObjectRecord {
  const kind = str(r, 'kind');
  if (!KINDS.includes(kind)) throw new TypeError('column kind: unexpected value');
  return {
    kind: kind as ConfigObjectKind, id: str(r, 'id'), body: JSON.parse(str(r, 'body_json')) as unknown, version: num(r, 'version'),
    createdAt: num(r, 'created_at'), createdBy: str(r, 'created_by'), updatedAt: num(r, 'updated_at'), updatedBy: str(r, 'updated_by'),
  };
}

export function configObjectsRepo(ex: SqlExecutor): ConfigObjectsRepo {
  const get = async (kind: ConfigObjectKind, id: string) => {
    const [r] = await ex.all(`SELECT ${COLS} FROM config_objects WHERE kind = ? AND id = ?`, [kind, id]);
    return r ? toRecord(r) : null;
  };
  /** The current version when it is not `expected`; null when it is (or the row is gone). */
  const mismatch = async (kind: ConfigObjectKind, id: string, expected: number) => {
    const cur = await get(kind, id);
    if (cur && cur.version !== expected) throw new StoreVersionError(expected, cur.version);
  };
  return {
    async lockForWrite() {
      // SHARE ROW EXCLUSIVE conflicts with itself and with writes, not with plain reads.
      if (ex.dialect.name === 'postgres') await ex.run('LOCK TABLE config_objects IN SHARE ROW EXCLUSIVE MODE');
    },
    async list(kind) {
      const where = kind ? 'WHERE kind = ?' : '';
      return (await ex.all(`SELECT ${COLS} FROM config_objects ${where} ORDER BY created_at, id`, kind ? [kind] : [])).map(toRecord);
    },
    get,
    async create(o) {
      // Checked first so both dialects report the same error (drivers word unique violations differently).
      if (await get(o.kind, o.id)) throw new StoreConflictError('id');
      await ex.run(`INSERT INTO config_objects (${COLS}) VALUES (?, ?, ?, 1, ?, ?, ?, ?)`,
        [o.kind, o.id, JSON.stringify(o.body), o.createdAt, o.createdBy, o.createdAt, o.createdBy]);
      return { ...o, version: 1, updatedAt: o.createdAt, updatedBy: o.createdBy };
    },
    async update(kind, id, expectedVersion, change) {
      const r = await ex.run(
        'UPDATE config_objects SET body_json = ?, version = version + 1, updated_at = ?, updated_by = ? WHERE kind = ? AND id = ? AND version = ?',
        [JSON.stringify(change.body), change.at, change.by, kind, id, expectedVersion],
      );
      if (r.changes === 0) {
        await mismatch(kind, id, expectedVersion);
        return null;
      }
      return get(kind, id);
    },
    async remove(kind, id, expectedVersion) {
      const r = await ex.run('DELETE FROM config_objects WHERE kind = ? AND id = ? AND version = ?', [kind, id, expectedVersion]);
      if (r.changes === 0) await mismatch(kind, id, expectedVersion);
      return r.changes > 0;
    },
  };
}
