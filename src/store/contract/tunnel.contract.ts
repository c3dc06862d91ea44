// Contract: TunnelStore (connector tokens, live connections). Owns: the behaviour every adapter's
// tunnel repositories must show. Must not: reach past the port.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StoreConflictError } from '../errors.ts';
import type { Store, TunnelConnectionRecord } from '../ports.ts';
import { T0 } from './fixtures.ts';

const conn = (id: string, over: Partial<TunnelConnectionRecord> = {}): TunnelConnectionRecord => ({
  id, tunnel: 'web', tokenId: 't1', connectorId: 'c1', version: '0.1.0', hostname: 'vm1', address: '10.0.0.7',
  edge: 'edge-a:1', wanted: 2, connectedAt: T0, lastSeenAt: T0, ...over,
});

export function describeTunnelContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name}: tunnel tokens and connections`, () => {
    let store: Store;
    beforeEach(async () => { store = await makeStore(); });
    afterEach(async () => { await store.close(); });

    test('tokens: create, find by hash or id, list, revoke once, duplicate hash conflicts', async () => {
      const t = store.tunnels.tokens;
      await t.create({ id: 't1', name: 'vm1', tunnel: 'web', hash: 'a'.repeat(64), createdAt: T0 });
      await t.create({ id: 't2', name: 'vm2', tunnel: 'web', hash: 'b'.repeat(64), createdAt: T0 + 1 });
      assert.deepEqual(await t.findByHash('a'.repeat(64)), { id: 't1', name: 'vm1', tunnel: 'web', hash: 'a'.repeat(64), createdAt: T0, revokedAt: null });
      assert.equal((await t.get('t2'))?.name, 'vm2');
      assert.equal(await t.findByHash('c'.repeat(64)), null);
      assert.deepEqual((await t.list()).map((x) => x.id), ['t1', 't2']);
      assert.equal(await t.revoke('t1', T0 + 5), true);
      assert.equal(await t.revoke('t1', T0 + 9), false);
      assert.equal((await t.get('t1'))?.revokedAt, T0 + 5);
      await assert.rejects(t.create({ id: 't3', name: 'x', tunnel: 'web', hash: 'a'.repeat(64), createdAt: T0 }),
        (e) => e instanceof StoreConflictError && e.field === 'hash');
      await assert.rejects(t.create({ id: 't4', name: 'x', tunnel: 'web', hash: 'nope', createdAt: T0 }), TypeError);
    });

    test('connections: put replaces, touch moves forward, listSince hides stale rows, purge', async () => {
      const c = store.tunnels.connections;
      await c.put(conn('k2', { connectorId: 'c2' }));
      await c.put(conn('k1'));
      await c.put(conn('k1', { address: '10.0.0.8' }));
      await c.touch(['k1', 'gone'], T0 + 100);
      await c.touch(['k1'], T0 + 50);
      assert.deepEqual((await c.listSince(T0)).map((r) => [r.id, r.address, r.lastSeenAt]), [['k1', '10.0.0.8', T0 + 100], ['k2', '10.0.0.7', T0]]);
      assert.deepEqual((await c.listSince(T0 + 1)).map((r) => r.id), ['k1']);
      assert.equal(await c.purgeBefore(T0 + 1), 1);
      await c.remove('k1');
      assert.deepEqual(await c.listSince(0), []);
    });

    test('connections: the relay URL of the holding replica round-trips; none reads back as null', async () => {
      const c = store.tunnels.connections;
      await c.put(conn('r1', { relayUrl: 'http://10.0.0.11:8080' }));
      await c.put(conn('r2'));
      assert.deepEqual((await c.listSince(T0)).map((r) => [r.id, r.relayUrl]), [['r1', 'http://10.0.0.11:8080'], ['r2', null]]);
    });
  });
}
