// Contract: ConfigObjectsRepo (apps, policies, rule groups created through the admin API). Owns:
// the behaviour every adapter must show — create, list, versioned update and delete.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StoreConflictError, StoreVersionError } from '../errors.ts';
import type { Store } from '../ports.ts';
import { T0 } from './fixtures.ts';

export function describeConfigObjectsContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name}: config objects`, () => {
    let store: Store;
    beforeEach(async () => { store = await makeStore(); });
    afterEach(async () => { await store.close(); });

    test('create, get and list (oldest first, by kind); a second create of kind+id conflicts', async () => {
      const repo = store.admin.configObjects;
      const app = await repo.create({ kind: 'app', id: 'crm', body: { id: 'crm', hosts: ['crm.example.com'] }, createdAt: T0, createdBy: 'user:ada' });
      assert.equal(app.version, 1);
      await repo.create({ kind: 'policy', id: 'p1', body: { app: 'crm', name: 'staff' }, createdAt: T0 + 1, createdBy: 'token:ci' });
      await repo.create({ kind: 'ruleGroup', id: 'crm', body: { name: 'crm' }, createdAt: T0 + 2, createdBy: 'cli' });
      assert.deepEqual(await repo.get('app', 'crm'), {
        kind: 'app', id: 'crm', body: { id: 'crm', hosts: ['crm.example.com'] }, version: 1,
        createdAt: T0, createdBy: 'user:ada', updatedAt: T0, updatedBy: 'user:ada',
      });
      assert.deepEqual((await repo.list()).map((o) => `${o.kind}:${o.id}`), ['app:crm', 'policy:p1', 'ruleGroup:crm']);
      assert.deepEqual((await repo.list('policy')).map((o) => o.id), ['p1']);
      await assert.rejects(repo.create({ kind: 'app', id: 'crm', body: {}, createdAt: T0, createdBy: 'x' }),
        (e) => e instanceof StoreConflictError && e.field === 'id');
    });

    test('update and remove need the current version; a stale one is a StoreVersionError, a missing row null/false', async () => {
      const repo = store.admin.configObjects;
      await repo.create({ kind: 'app', id: 'crm', body: { v: 1 }, createdAt: T0, createdBy: 'user:ada' });
      const next = await repo.update('app', 'crm', 1, { body: { v: 2 }, at: T0 + 5, by: 'user:bob' });
      assert.deepEqual({ v: next?.version, body: next?.body, at: next?.updatedAt, by: next?.updatedBy, c: next?.createdBy },
        { v: 2, body: { v: 2 }, at: T0 + 5, by: 'user:bob', c: 'user:ada' });
      await assert.rejects(repo.update('app', 'crm', 1, { body: { v: 3 }, at: T0 + 6, by: 'x' }),
        (e) => e instanceof StoreVersionError && e.actual === 2);
      await assert.rejects(repo.remove('app', 'crm', 1), StoreVersionError);
      assert.equal(await repo.update('app', 'nope', 1, { body: {}, at: T0, by: 'x' }), null);
      assert.equal(await repo.remove('app', 'nope', 1), false);
      assert.equal(await repo.remove('app', 'crm', 2), true);
      assert.equal(await repo.get('app', 'crm'), null);
    });
  });
}
