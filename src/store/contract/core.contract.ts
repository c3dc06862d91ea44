// Contract: SigningKeyStore, AccessLogStore, KeyValueStore. Must not: reach past the ports.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StoreConflictError } from '../errors.ts';
import type { SigningKeyRecord, Store } from '../ports.ts';
import { HOUR, logEntry, T0 } from './fixtures.ts';

const key = (kid: string, activatesAt: number, expiresAt: number): SigningKeyRecord => ({
  kid, alg: 'ES256', privateJwk: JSON.stringify({ kty: 'EC', d: 'secret' }), publicJwk: JSON.stringify({ kty: 'EC', x: 'x' }),
  createdAt: activatesAt - 1, activatesAt, retiresAt: activatesAt + HOUR, expiresAt,
});

export function describeCoreContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name}: signing keys, access log, kv`, () => {
    let store: Store;
    beforeEach(async () => { store = await makeStore(); });
    afterEach(async () => { await store.close(); });

    test('signing keys: insert, list by activation, duplicate kid conflicts, deleteExpired', async () => {
      await store.keys.insert(key('k2', T0 + 10, T0 + 3 * HOUR));
      await store.keys.insert(key('k1', T0, T0 + HOUR));
      assert.deepEqual((await store.keys.list()).map((k) => k.kid), ['k1', 'k2']);
      assert.deepEqual((await store.keys.list())[0], key('k1', T0, T0 + HOUR));
      await assert.rejects(store.keys.insert(key('k1', T0, T0)), (e) => e instanceof StoreConflictError && e.field === 'kid');
      assert.equal(await store.keys.deleteExpired(T0 + HOUR), 1);
      assert.deepEqual((await store.keys.list()).map((k) => k.kid), ['k2']);
    });

    test('access log: append round-trips, query filters and pages newest first by time cursor', async () => {
      const entries = Array.from({ length: 7 }, (_, i) => logEntry(T0 + i, { appId: i % 2 ? 'wiki' : 'payroll', action: i === 3 ? 'deny' : 'allow' }));
      await store.accessLog.append(entries);
      await store.accessLog.append([]);
      const p1 = await store.accessLog.query({ limit: 3 });
      assert.deepEqual(p1.map((e) => e.time), [T0 + 6, T0 + 5, T0 + 4]);
      assert.deepEqual(p1[0], entries[6]);
      const p2 = await store.accessLog.query({ limit: 3, before: p1.at(-1)?.time ?? 0 });
      assert.deepEqual(p2.map((e) => e.time), [T0 + 3, T0 + 2, T0 + 1]);
      assert.deepEqual((await store.accessLog.query({ limit: 10, appId: 'wiki' })).map((e) => e.time), [T0 + 5, T0 + 3, T0 + 1]);
      assert.deepEqual((await store.accessLog.query({ limit: 10, action: 'deny' })).map((e) => e.time), [T0 + 3]);
      assert.deepEqual((await store.accessLog.query({ limit: 10, since: T0 + 2, until: T0 + 4 })).map((e) => e.time), [T0 + 4, T0 + 3, T0 + 2]);
      assert.equal((await store.accessLog.query({ limit: 10, email: 'ALICE@contoso.com' })).length, 7);
      assert.equal((await store.accessLog.query({ limit: 10, email: 'bob@contoso.com' })).length, 0);
      assert.equal(await store.accessLog.purgeBefore(T0 + 5), 5);
      assert.deepEqual((await store.accessLog.query({ limit: 10 })).map((e) => e.time), [T0 + 6, T0 + 5]);
    });

    test('access log: histogram counts per action and time bucket within the window', async () => {
      await store.accessLog.append([
        logEntry(T0 + 1, { action: 'allow' }), logEntry(T0 + 2, { action: 'allow' }), logEntry(T0 + 3, { action: 'deny' }),
        logEntry(T0 + 1_000, { action: 'allow' }), logEntry(T0 + 5_000, { action: 'deny' }),
      ]);
      const h = await store.accessLog.histogram({ since: T0, until: T0 + 1_999, bucketMs: 1_000 });
      assert.deepEqual(h, [
        { bucket: T0, action: 'allow', count: 2 }, { bucket: T0, action: 'deny', count: 1 }, { bucket: T0 + 1_000, action: 'allow', count: 1 },
      ]);
      assert.deepEqual(await store.accessLog.histogram({ since: T0 + 6_000, until: T0 + 9_000, bucketMs: 1_000 }), []);
    });

    test('access log: minute buckets (read from the per-minute rollup) count exactly what the rows say, edges and purges included', async () => {
      const M = 60_000;
      const base = Math.ceil(T0 / (60 * M)) * 60 * M; // an hour boundary
      const times = [base - 1, base, base + 59_999, base + M, base + M + 30_000, base + 2 * M + 1, base + 5 * M + 10, base + 5 * M + 50_000];
      // Two batches: the rollup adds to a minute it already has.
      await store.accessLog.append(times.slice(0, 4).map((t, i) => logEntry(t, { action: i % 2 ? 'deny' : 'allow' })));
      await store.accessLog.append(times.slice(4).map((t, i) => logEntry(t, { action: i % 2 ? 'allow' : 'deny' })));
      const expected = async (since: number, until: number, bucketMs: number) => {
        const rows = (await store.accessLog.query({ since, until, limit: 100 })).reverse();
        const m = new Map<string, { bucket: number; action: string; count: number }>();
        for (const e of rows) {
          const bucket = e.time - (e.time % bucketMs);
          const c = m.get(`${bucket} ${e.action}`) ?? { bucket, action: e.action, count: 0 };
          c.count++;
          m.set(`${bucket} ${e.action}`, c);
        }
        return [...m.values()].sort((a, b) => a.bucket - b.bucket || a.action.localeCompare(b.action));
      };
      // Windows on and off minute boundaries, one inside a single minute, and 5-minute buckets.
      for (const [since, until, size] of [[base, base + 10 * M, M], [base - 30_000, base + 5 * M + 20_000, M], [base + 10, base + M + 40_000, M],
        [base + 5 * M + 5, base + 5 * M + 40_000, M], [base - 5 * M, base + 10 * M, 5 * M], [base - 1, base + 6 * M, 5 * M]] as const) {
        assert.deepEqual(await store.accessLog.histogram({ since, until, bucketMs: size }), await expected(since, until, size), `${since - base}..${until - base} by ${size}`);
      }
      await store.accessLog.purgeBefore(base + 2 * M);
      assert.deepEqual(await store.accessLog.histogram({ since: base - 10 * M, until: base + 10 * M, bucketMs: M }), await expected(base - 10 * M, base + 10 * M, M));
    });

    test('access log: a batch larger than one multi-row insert keeps every row, each with its own fields', async () => {
      const entries = Array.from({ length: 123 }, (_, i) => logEntry(T0 + 100_000 + i, { appId: `app-${i}`, status: 200 + (i % 5) }));
      await store.accessLog.append(entries);
      const back = await store.accessLog.query({ limit: 200, since: T0 + 100_000 });
      assert.equal(back.length, 123);
      assert.deepEqual(back.reverse(), entries);
    });

    test('kv: set, overwrite, delete, list by namespace', async () => {
      await store.kv.set('ns', 'b', '2');
      await store.kv.set('ns', 'a', '1');
      await store.kv.set('other', 'a', 'x');
      await store.kv.set('ns', 'a', '1b');
      assert.equal(await store.kv.get('ns', 'a'), '1b');
      assert.deepEqual(await store.kv.list('ns'), [{ key: 'a', value: '1b' }, { key: 'b', value: '2' }]);
      await store.kv.delete('ns', 'a');
      assert.equal(await store.kv.get('ns', 'a'), null);
      assert.equal(await store.kv.get('other', 'a'), 'x');
    });

    test('kv: an expired entry reads as absent and is not listed; a future one is', async () => {
      const now = Date.now();
      await store.kv.set('ns', 'gone', 'v', now - 1);
      await store.kv.set('ns', 'kept', 'v', now + HOUR);
      assert.equal(await store.kv.get('ns', 'gone'), null);
      assert.equal(await store.kv.get('ns', 'kept'), 'v');
      assert.deepEqual((await store.kv.list('ns')).map((e) => e.key), ['kept']);
      await store.kv.set('ns', 'gone', 'back');
      assert.equal(await store.kv.get('ns', 'gone'), 'back');
    });
  });
}
