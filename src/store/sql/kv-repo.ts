// KeyValueStore over shared SQL: small identity caches (namespaced, optional expiry). Owns: kv
// rows. Must not: hold anything that must survive a cache flush — entries may vanish on expiry.
import type { KeyValueStore } from '../ports.ts';
import { str, type SqlExecutor } from './executor.ts';

export function kvRepo(ex: SqlExecutor, clock: () => number): KeyValueStore {
  return {
    async get(ns, key) {
      const [row] = await ex.all('SELECT value FROM kv WHERE ns = ? AND k = ? AND (expires_at IS NULL OR expires_at > ?)', [ns, key, clock()]);
      return row ? str(row, 'value') : null;
    },
    async set(ns, key, value, expiresAt) {
      await ex.run(
        'INSERT INTO kv (ns, k, value, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT (ns, k) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at',
        [ns, key, value, expiresAt ?? null],
      );
    },
    async delete(ns, key) {
      await ex.run('DELETE FROM kv WHERE ns = ? AND k = ?', [ns, key]);
    },
    async list(ns) {
      const rows = await ex.all(`SELECT k, value FROM kv WHERE ns = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY k${ex.dialect.binaryCollate}`, [ns, clock()]);
      return rows.map((r) => ({ key: str(r, 'k'), value: str(r, 'value') }));
    },
    async claim(ns, key, value, expiresAt) {
      // One statement, so two processes racing for a free lease cannot both win.
      const r = await ex.run(
        `INSERT INTO kv (ns, k, value, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT (ns, k) DO UPDATE SET value = excluded.value,
         expires_at = excluded.expires_at WHERE kv.expires_at <= ? OR kv.value = excluded.value`,
        [ns, key, value, expiresAt, clock()],
      );
      return r.changes > 0;
    },
    async unclaim(ns, key, value) {
      const r = await ex.run('DELETE FROM kv WHERE ns = ? AND k = ? AND value = ?', [ns, key, value]);
      return r.changes > 0;
    },
  };
}
