// Contract: the secure web gateway's store (proxy credentials, gateway log). Must not: reach past the ports.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { GatewayLogEntry, ProxyCredentialRecord, Store } from '../ports.ts';
import { StoreConflictError } from '../errors.ts';
import { T0 } from './fixtures.ts';

const cred = (id: string, over: Partial<ProxyCredentialRecord> = {}): ProxyCredentialRecord => ({
  id, secretHash: 'h'.repeat(64), sessionId: 's1', userKey: 'u1', email: 'Bob@Contoso.com', label: 'laptop',
  createdAt: T0, lastUsedAt: null, revokedAt: null, ...over,
});
const entry = (time: number, over: Partial<GatewayLogEntry> = {}): GatewayLogEntry => ({
  time, requestId: `r${time}`, userKey: 'u1', email: 'Bob@Contoso.com', groups: ['IdentityProtection-RiskyUser-RiskLevel-high'],
  host: 'app1.example.com', url: 'https://app1.example.com/', method: 'GET', action: 'isolate', policy: 'risky',
  reasons: ['gateway.domain.match: x'], status: 302, bytes: 0, isolation: 'redirected', clientIp: '10.0.0.1', ...over,
});

export function describeGatewayContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name}: gateway credentials and log`, () => {
    let store: Store;
    beforeEach(async () => { store = await makeStore(); });
    afterEach(async () => { await store.close(); });

    test('credentials: create, get, duplicate id conflicts, list newest first, revoke only by the owner, touch forward', async () => {
      const c = store.gateway.credentials;
      await c.create(cred('a'));
      await c.create(cred('b', { createdAt: T0 + 1 }));
      await assert.rejects(c.create(cred('a')), StoreConflictError);
      assert.equal((await c.get('a'))?.email, 'bob@contoso.com');
      assert.equal(await c.get('zzz'), null);
      assert.deepEqual((await c.listForUser('u1')).map((x) => x.id), ['b', 'a']);
      assert.equal(await c.revoke('a', 'someone-else', T0 + 5), false);
      assert.equal(await c.revoke('a', 'u1', T0 + 5), true);
      assert.equal(await c.revoke('a', 'u1', T0 + 6), false);
      assert.equal((await c.get('a'))?.revokedAt, T0 + 5);
      await c.touch('b', T0 + 10);
      await c.touch('b', T0 + 3);
      assert.equal((await c.get('b'))?.lastUsedAt, T0 + 10);
    });

    test('log: appended, newest first, filtered, purged by time', async () => {
      const log = store.gateway.log;
      await log.append([entry(T0), entry(T0 + 1, { action: 'allow', isolation: null, email: 'alice@contoso.com' })]);
      const all = await log.query({ limit: 10 });
      assert.deepEqual(all.map((e) => e.time), [T0 + 1, T0]);
      assert.deepEqual(all[1], { ...entry(T0), email: 'bob@contoso.com' });
      assert.deepEqual((await log.query({ limit: 10, email: 'BOB@contoso.com' })).map((e) => e.action), ['isolate']);
      assert.deepEqual((await log.query({ limit: 10, action: 'allow', since: T0 + 1 })).length, 1);
      assert.deepEqual((await log.query({ limit: 10, before: T0 + 1 })).map((e) => e.time), [T0], 'time < before (paging)');
      assert.equal(await log.purgeBefore(T0 + 1), 1);
    });

    test('log: a batch of more rows than one INSERT holds keeps every row, each value in its own column', async () => {
      // 123 = two full multi-row statements and 23 single rows (batch-insert.ts): a shifted
      // parameter would put one row's value in its neighbour's column.
      const batch = Array.from({ length: 123 }, (_, i) => entry(T0 + i, {
        requestId: `q${i}`, url: `https://app1.example.com/${i}`, status: 200 + (i % 3), bytes: i * 10, groups: i % 2 ? [] : [`g${i}`],
        reasons: [`reason ${i}`], isolation: i % 5 ? null : 'blocked', policy: i % 7 ? `p${i}` : null, clientIp: `10.0.0.${i}`,
      }));
      await store.gateway.log.append(batch);
      const back = await store.gateway.log.query({ limit: 500 });
      assert.equal(back.length, 123);
      assert.deepEqual(back.reverse(), batch.map((e) => ({ ...e, email: 'bob@contoso.com' })));
    });
  });
}
