// Contract: the risk sync's store (directory.risk) and kv leases. Must not: reach past the ports.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RiskUserRow, Store } from '../ports.ts';
import { T0 } from './fixtures.ts';

const row = (userId: string, upn: string, level: RiskUserRow['level'], over: Partial<RiskUserRow> = {}): RiskUserRow => ({
  userId, userPrincipalName: upn, riskLevel: level ?? 'none', riskState: level ? 'atRisk' : 'remediated', isDeleted: false,
  riskLastUpdated: T0, level, updatedAt: T0, ...over,
});

export function describeRiskContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name}: risk state and leases`, () => {
    let store: Store;
    beforeEach(async () => { store = await makeStore(); });
    afterEach(async () => { await store.close(); });

    test('risk users: upsert replaces by id, getMany, findByUpn is case-insensitive, remove', async () => {
      const risk = store.directory.risk;
      await risk.upsert([row('u2', 'Bob@Contoso.com', 'high'), row('u1', 'alice@contoso.com', null, { isDeleted: true })]);
      await risk.upsert([row('u2', 'Bob@Contoso.com', 'medium', { riskLastUpdated: T0 + 5 })]);
      assert.deepEqual((await risk.list()).map((r) => [r.userId, r.level, r.isDeleted]), [['u1', null, true], ['u2', 'medium', false]]);
      assert.equal((await risk.findByUpn('BOB@contoso.com'))[0]?.riskLastUpdated, T0 + 5);
      assert.deepEqual((await risk.getMany(['u1', 'nope'])).map((r) => r.userId), ['u1']);
      assert.equal(await risk.remove(['u1', 'nope']), 1);
      assert.deepEqual((await risk.list()).map((r) => r.userId), ['u2']);
    });

    test('risk users: page sorts by level then UPN, filters by level and by a literal UPN substring, and counts', async () => {
      const risk = store.directory.risk;
      await risk.upsert([
        row('u1', 'zoe@contoso.com', 'low'), row('u2', 'Bob@Contoso.com', 'high'), row('u3', 'amy@contoso.com', 'high'),
        row('u4', 'carl@contoso.com', null), row('u5', 'dan_x@contoso.com', 'medium'), row('u6', 'danax@contoso.com', 'medium'),
      ]);
      const ids = (r: { items: RiskUserRow[] }) => r.items.map((u) => u.userId);
      const all = await risk.page({ offset: 0, limit: 10 });
      assert.deepEqual(ids(all), ['u3', 'u2', 'u5', 'u6', 'u1', 'u4']);
      assert.equal(all.total, 6);
      const p2 = await risk.page({ offset: 2, limit: 2 });
      assert.deepEqual([ids(p2), p2.total], [['u5', 'u6'], 6]);
      assert.deepEqual(ids(await risk.page({ level: 'high', offset: 0, limit: 10 })), ['u3', 'u2']);
      // `_` is a literal underscore, not LIKE's any-one-character; the match ignores case.
      assert.deepEqual(ids(await risk.page({ search: 'DAN_', offset: 0, limit: 10 })), ['u5']);
      const bob = await risk.page({ search: 'bob@', level: 'low', offset: 0, limit: 10 });
      assert.deepEqual([ids(bob), bob.total], [[], 0]);
    });

    test('risk changes: appended, newest first, narrowed by cycle, purged by time', async () => {
      const risk = store.directory.risk;
      const e = { userId: 'u1', userPrincipalName: 'a@x', output: 'directory', groupName: 'G', reason: 'riskLevel high (atRisk)' };
      await risk.appendChanges([{ ...e, time: T0, cycleId: 'c1', from: null, to: 'high' }, { ...e, time: T0 + 1, cycleId: 'c2', from: 'high', to: null }]);
      assert.deepEqual((await risk.changes({ limit: 10 })).map((c) => [c.cycleId, c.from, c.to]), [['c2', 'high', null], ['c1', null, 'high']]);
      assert.equal((await risk.changes({ limit: 10, cycleId: 'c1' })).length, 1);
      await risk.appendChanges([{ ...e, userPrincipalName: 'B@x', output: 'level', time: T0 + 2, cycleId: 'c3', from: null, to: 'low' }]);
      assert.deepEqual((await risk.changes({ limit: 10, output: 'level' })).map((c) => c.cycleId), ['c3']);
      assert.deepEqual((await risk.changes({ limit: 10, upn: 'b@X' })).map((c) => c.cycleId), ['c3'], 'upn, case-insensitively');
      assert.deepEqual((await risk.changes({ limit: 10, since: T0 + 1, before: T0 + 2 })).map((c) => c.cycleId), ['c2'], 'since ≤ time < before');
      assert.equal(await risk.purgeChangesBefore(T0 + 1), 1);
    });

    test('directoryUsersByUserName maps lower-cased user names to directory user ids', async () => {
      await store.directory.directories.create({ id: 'd1', name: 'default', createdAt: T0 });
      await store.directory.users.create('d1', {
        id: 'x1', externalId: null, userName: 'Bob@Contoso.com', active: true, displayName: null, email: null, givenName: null, familyName: null,
        raw: '{}', version: 1, createdAt: T0, lastModified: T0,
      });
      assert.deepEqual([...await store.directory.risk.directoryUsersByUserName('d1', ['BOB@contoso.com', 'nobody@x'])], [['bob@contoso.com', 'x1']]);
    });

    test('kv claim: a lease is taken when free or expired, renewed by its holder, refused to others', async () => {
      const now = Date.now();
      assert.equal(await store.kv.claim('lease', 'risk', 'a', now + 60_000), true);
      assert.equal(await store.kv.claim('lease', 'risk', 'b', now + 60_000), false);
      assert.equal(await store.kv.claim('lease', 'risk', 'a', now + 120_000), true);
      assert.equal(await store.kv.get('lease', 'risk'), 'a');
      await store.kv.set('lease', 'risk', 'a', now - 1); // the holder died; its lease ran out
      assert.equal(await store.kv.claim('lease', 'risk', 'b', now + 60_000), true);
      assert.equal(await store.kv.get('lease', 'risk'), 'b');
    });

    test('kv unclaim: only the holder gives a lease up, so a late former holder keeps its successor', async () => {
      const now = Date.now();
      assert.equal(await store.kv.claim('lease', 'risk', 'b', now + 60_000), true);
      assert.equal(await store.kv.unclaim('lease', 'risk', 'a'), false, 'a lost the lease to b');
      assert.equal(await store.kv.get('lease', 'risk'), 'b');
      assert.equal(await store.kv.unclaim('lease', 'risk', 'b'), true);
      assert.equal(await store.kv.get('lease', 'risk'), null);
      assert.equal(await store.kv.claim('lease', 'risk', 'a', now + 60_000), true, 'free again');
    });
  });
}
