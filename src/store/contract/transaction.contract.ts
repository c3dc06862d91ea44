// Contract: transactions (commit, rollback on throw, isolation from concurrent callers),
// concurrent membership adds, and the in-process half of the change feed. Must not: reach past
// the ports.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../ports.ts';
import { group, session, T0, user } from './fixtures.ts';

export function describeTransactionContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name}: transactions, concurrency, change feed`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
      await store.directory.directories.create({ id: 'd1', name: 'Contoso', createdAt: T0 });
    });
    afterEach(async () => { await store.close(); });

    test('transaction commits every call made through tx and returns fn\'s value', async () => {
      const out = await store.transaction(async (tx) => {
        await tx.sessions.create(session('s1'));
        await tx.directory.users.create('d1', user('u1', 'alice'));
        return 42;
      });
      assert.equal(out, 42);
      assert.ok(await store.sessions.get('s1'));
      assert.ok(await store.directory.users.get('d1', 'u1'));
    });

    test('a throwing fn rolls back everything and rethrows', async () => {
      await assert.rejects(store.transaction(async (tx) => {
        await tx.sessions.create(session('s1'));
        await tx.kv.set('ns', 'k', 'v');
        await tx.directory.users.create('d1', user('u1', 'alice'));
        throw new Error('boom');
      }), /boom/);
      assert.equal(await store.sessions.get('s1'), null);
      assert.equal(await store.kv.get('ns', 'k'), null);
      assert.equal(await store.directory.users.get('d1', 'u1'), null);
    });

    test('a store error inside a transaction rolls back the earlier writes', async () => {
      await store.directory.users.create('d1', user('u1', 'alice'));
      await assert.rejects(store.transaction(async (tx) => {
        await tx.directory.users.create('d1', user('u2', 'bob'));
        await tx.directory.users.create('d1', user('u3', 'ALICE'));
      }));
      assert.equal(await store.directory.users.get('d1', 'u2'), null);
      // The store stays usable after a failed transaction.
      await store.directory.users.create('d1', user('u2', 'bob'));
    });

    test('statements from other callers do not land inside an open transaction', async () => {
      let release!: () => void;
      let began!: () => void;
      const gate = new Promise<void>((r) => { release = r; });
      const started = new Promise<void>((r) => { began = r; });
      const tx = store.transaction(async (t) => {
        await t.kv.set('ns', 'in-tx', '1');
        began();
        await gate;
        throw new Error('rollback');
      });
      await started;
      // Issued while the transaction is open; must wait for it and survive its rollback.
      const outside = store.kv.set('ns', 'outside', '1');
      setTimeout(release, 50);
      await assert.rejects(tx, /rollback/);
      await outside;
      assert.equal(await store.kv.get('ns', 'in-tx'), null);
      assert.equal(await store.kv.get('ns', 'outside'), '1');
    });

    test('50 concurrent applyMembers adds to one group lose no member', async () => {
      const ids = Array.from({ length: 50 }, (_, i) => `u${String(i).padStart(2, '0')}`);
      for (const id of ids) await store.directory.users.create('d1', user(id, id));
      await store.directory.groups.create('d1', group('g1', 'Staff'));
      const results = await Promise.all(ids.map((id) => store.directory.groups.applyMembers('d1', 'g1', { add: [id], remove: [], modifiedAt: T0 + 1 })));
      assert.deepEqual(results.flatMap((r) => r?.added ?? []).sort(), ids);
      const m = await store.directory.groups.members('d1', 'g1', { startIndex: 1, count: 100 });
      assert.equal(m.total, 50);
      assert.deepEqual(m.items.map((x) => x.id), ids);
      assert.equal((await store.directory.groups.get('d1', 'g1'))?.version, 51);
    });

    test('change feed: local subscribers run before publish resolves; unsubscribe stops delivery', async () => {
      const got: unknown[] = [];
      const other: unknown[] = [];
      const off = store.changes.subscribe('sessions.revoked', (p) => got.push(p));
      store.changes.subscribe('other', (p) => other.push(p));
      store.changes.subscribe('sessions.revoked', () => { throw new Error('a broken subscriber'); });
      await store.changes.publish('sessions.revoked', { userKeys: ['tid:alice'] });
      assert.deepEqual(got, [{ userKeys: ['tid:alice'] }]);
      off();
      await store.changes.publish('sessions.revoked', { userKeys: [] });
      assert.equal(got.length, 1);
      assert.deepEqual(other, []);
    });

    test('change feed: a change far over 8,000 bytes is published and delivered whole', async () => {
      const got: unknown[] = [];
      const off = store.changes.subscribe('big', (p) => got.push(p));
      const blob = 'x'.repeat(200_000);
      await store.changes.publish('big', { blob });
      await store.transaction(async (tx) => { await tx.changes.publish('big', { blob }); });
      off();
      assert.deepEqual(got, [{ blob }, { blob }]);
    });

    test('change feed: a change published in a transaction is delivered after commit, never on rollback', async () => {
      const got: unknown[] = [];
      const off = store.changes.subscribe('tx.topic', (p) => got.push(p));
      await store.transaction(async (tx) => {
        await tx.changes.publish('tx.topic', { n: 1 });
        assert.deepEqual(got, [], 'not before commit');
      });
      assert.deepEqual(got, [{ n: 1 }], 'delivered before transaction() resolves');
      await assert.rejects(store.transaction(async (tx) => {
        await tx.changes.publish('tx.topic', { n: 2 });
        throw new Error('roll back');
      }), /roll back/);
      await new Promise((r) => setTimeout(r, 50));
      off();
      assert.deepEqual(got, [{ n: 1 }]);
    });

    test('change feed: fresh while its reader keeps up', () => {
      assert.equal(store.changes.isFresh(), true);
    });
  });
}
