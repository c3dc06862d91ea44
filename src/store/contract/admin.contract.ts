// Contract: AdminStore (API tokens, audit log). Owns: the behaviour every adapter's admin
// repositories must show. Must not: reach past the port (no SQL, no adapter internals).
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StoreConflictError } from '../errors.ts';
import type { AdminAuditEntry, Store } from '../ports.ts';
import { HOUR, T0 } from './fixtures.ts';

const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);

const entry = (time: number, over: Partial<AdminAuditEntry> = {}): AdminAuditEntry => ({
  time, actor: 'user:ada@contoso.com', action: 'sessions.revoke', target: 'user:bob@contoso.com',
  before: { active: 2 }, after: { active: 0 }, requestId: `r${time}`, ...over,
});

export function describeAdminContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name}: admin tokens and audit log`, () => {
    let store: Store;
    beforeEach(async () => { store = await makeStore(); });
    afterEach(async () => { await store.close(); });

    test('tokens: create, find by hash, list oldest first, duplicate hash conflicts', async () => {
      await store.admin.tokens.create({ id: 't2', name: 'ci', scope: 'write', hash: HASH_B, createdAt: T0 + 1, expiresAt: T0 + HOUR });
      await store.admin.tokens.create({ id: 't1', name: 'grafana', scope: 'read', hash: HASH_A, createdAt: T0, expiresAt: T0 + HOUR });
      assert.deepEqual(await store.admin.tokens.findByHash(HASH_A), {
        id: 't1', name: 'grafana', scope: 'read', hash: HASH_A, createdAt: T0, expiresAt: T0 + HOUR, lastUsedAt: null, revokedAt: null,
      });
      assert.equal(await store.admin.tokens.findByHash('c'.repeat(64)), null);
      assert.deepEqual((await store.admin.tokens.list()).map((t) => t.id), ['t1', 't2']);
      await assert.rejects(
        store.admin.tokens.create({ id: 't3', name: 'x', scope: 'read', hash: HASH_A, createdAt: T0, expiresAt: T0 + HOUR }),
        (e) => e instanceof StoreConflictError && e.field === 'hash',
      );
      await assert.rejects(store.admin.tokens.create({ id: 't4', name: 'x', scope: 'read', hash: 'not-hex', createdAt: T0, expiresAt: T0 }), TypeError);
    });

    test('tokens: revoke once, touch only moves forward', async () => {
      await store.admin.tokens.create({ id: 't1', name: 'grafana', scope: 'read', hash: HASH_A, createdAt: T0, expiresAt: T0 + HOUR });
      await store.admin.tokens.touch('t1', T0 + 50);
      await store.admin.tokens.touch('t1', T0 + 10);
      assert.equal((await store.admin.tokens.findByHash(HASH_A))?.lastUsedAt, T0 + 50);
      assert.equal(await store.admin.tokens.revoke('t1', T0 + 60), true);
      assert.equal(await store.admin.tokens.revoke('t1', T0 + 70), false);
      assert.equal((await store.admin.tokens.findByHash(HASH_A))?.revokedAt, T0 + 60);
    });

    test('audit: append returns increasing seq; query filters, newest first, seq cursor pages without gaps', async () => {
      const seqs: number[] = [];
      for (let i = 0; i < 5; i++) {
        seqs.push(await store.admin.audit.append(entry(T0, { actor: i % 2 ? 'token:ci' : 'user:ada@contoso.com', action: i === 4 ? 'token.create' : 'sessions.revoke' })));
      }
      assert.deepEqual([...seqs].sort((a, b) => a - b), seqs, 'strictly increasing');
      const all = await store.admin.audit.query({ limit: 10 });
      assert.deepEqual(all.map((e) => e.seq), [...seqs].reverse());
      assert.deepEqual(all[0], { ...entry(T0, { action: 'token.create' }), seq: seqs[4] });
      const first = await store.admin.audit.query({ limit: 2 });
      const second = await store.admin.audit.query({ limit: 2, beforeSeq: first[1]!.seq });
      const third = await store.admin.audit.query({ limit: 2, beforeSeq: second[1]!.seq });
      assert.deepEqual([...first, ...second, ...third].map((e) => e.seq), [...seqs].reverse(), 'same-time entries are neither lost nor repeated');
      assert.deepEqual((await store.admin.audit.query({ limit: 10, actor: 'token:ci' })).map((e) => e.seq), [seqs[3], seqs[1]]);
      assert.equal((await store.admin.audit.query({ limit: 10, action: 'token.create' })).length, 1);
      assert.equal((await store.admin.audit.query({ limit: 10, since: T0 + 1 })).length, 0);
    });

    test('audit: null before/after and requestId round-trip as null', async () => {
      await store.admin.audit.append(entry(T0, { before: null, after: null, requestId: null }));
      const [e] = await store.admin.audit.query({ limit: 1 });
      assert.equal(e?.before, null);
      assert.equal(e?.after, null);
      assert.equal(e?.requestId, null);
    });
  });
}
