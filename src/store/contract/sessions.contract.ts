// Contract: SessionStore. Owns: the behaviour every adapter's sessions must show. Must not: reach
// past the port (no SQL, no adapter internals).
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StoreConflictError } from '../errors.ts';
import type { Store } from '../ports.ts';
import { appSession, HOUR, session, T0 } from './fixtures.ts';

export function describeSessionContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name}: sessions`, () => {
    let store: Store;
    beforeEach(async () => { store = await makeStore(); });
    afterEach(async () => { await store.close(); });

    test('create then get round-trips every field, identity as JSON', async () => {
      const s = session('s1', { email: 'Alice@Contoso.COM', identity: { groups: ['a', 'b'], acrs: ['c1'], nested: { n: 1 } } });
      await store.sessions.create(s);
      assert.deepEqual(await store.sessions.get('s1'), { ...s, email: 'alice@contoso.com' });
      assert.equal(await store.sessions.get('missing'), null);
    });

    test('a duplicate id is a StoreConflictError on id', async () => {
      await store.sessions.create(session('s1'));
      await assert.rejects(store.sessions.create(session('s1')), (e) => e instanceof StoreConflictError && e.field === 'id');
    });

    test('touch moves lastSeenAt forward only', async () => {
      await store.sessions.create(session('s1'));
      await store.sessions.touch('s1', T0 + 500);
      await store.sessions.touch('s1', T0 + 100);
      assert.equal((await store.sessions.get('s1'))?.lastSeenAt, T0 + 500);
    });

    test('revoke cascades to app sessions and keeps the first reason', async () => {
      const g = session('g1');
      await store.sessions.create(g);
      await store.sessions.create(appSession('a1', g, 'wiki'));
      await store.sessions.create(appSession('a2', g, 'payroll'));
      await store.sessions.create(session('other', { userKey: 'tid:bob', email: 'bob@contoso.com' }));
      assert.equal(await store.sessions.revoke('g1', 'logout', T0 + 1), true);
      assert.equal(await store.sessions.revoke('g1', 'again', T0 + 2), false);
      assert.equal(await store.sessions.revoke('missing', 'x', T0), false);
      for (const id of ['g1', 'a1', 'a2']) {
        const s = await store.sessions.get(id);
        assert.equal(s?.revokedAt, T0 + 1, id);
        assert.equal(s?.revokedReason, 'logout', id);
      }
      assert.equal((await store.sessions.get('other'))?.revokedAt, null);
    });

    test('revokeUser by email matches case-insensitively and reports userKeys', async () => {
      await store.sessions.create(session('s1', { userKey: 'tid:alice' }));
      await store.sessions.create(session('s2', { userKey: 'iss|alice' }));
      await store.sessions.create(session('s3', { userKey: 'tid:bob', email: 'bob@contoso.com' }));
      const r = await store.sessions.revokeUser({ email: 'ALICE@contoso.com' }, 'deprovisioned', T0 + 5);
      assert.deepEqual(r, { revoked: 2, userKeys: ['iss|alice', 'tid:alice'] });
      assert.equal((await store.sessions.get('s3'))?.revokedAt, null);
      assert.deepEqual(await store.sessions.revokeUser({ email: 'alice@contoso.com' }, 'again', T0 + 6), { revoked: 0, userKeys: [] });
    });

    test('revokeUser by userKey also revokes that user\'s app sessions; either selector matches', async () => {
      const g = session('g1', { userKey: 'tid:carol', email: 'carol@contoso.com' });
      await store.sessions.create(g);
      await store.sessions.create(appSession('a1', g, 'wiki'));
      await store.sessions.create(session('s2', { userKey: 'tid:dave', email: 'dave@contoso.com' }));
      await store.sessions.create(session('s3', { userKey: 'tid:erin', email: 'erin@contoso.com' }));
      const r = await store.sessions.revokeUser({ userKey: 'tid:carol', email: 'dave@contoso.com' }, 'risk', T0);
      assert.equal(r.revoked, 3);
      assert.deepEqual(r.userKeys, ['tid:carol', 'tid:dave']);
      assert.equal((await store.sessions.get('a1'))?.revokedReason, 'risk');
      assert.equal((await store.sessions.get('s3'))?.revokedAt, null);
      await assert.rejects(store.sessions.revokeUser({}, 'x', T0), TypeError);
    });

    test('countForUser counts sessions in any state, by email (any case) or userKey', async () => {
      await store.sessions.create(session('s1', { userKey: 'tid:alice', revokedAt: T0, revokedReason: 'logout' }));
      await store.sessions.create(session('s2', { userKey: 'tid:alice', expiresAt: T0 + 1 }));
      assert.equal(await store.sessions.countForUser({ email: 'ALICE@contoso.com' }), 2);
      assert.equal(await store.sessions.countForUser({ userKey: 'tid:alice' }), 2);
      assert.equal(await store.sessions.countForUser({ email: 'nobody@contoso.com' }), 0);
      await assert.rejects(store.sessions.countForUser({}), TypeError);
    });

    test('revokeApp revokes only that app\'s sessions', async () => {
      const g = session('g1');
      await store.sessions.create(g);
      await store.sessions.create(appSession('a1', g, 'wiki'));
      await store.sessions.create(appSession('a2', g, 'payroll'));
      assert.equal(await store.sessions.revokeApp('wiki', 'app removed', T0), 1);
      assert.equal((await store.sessions.get('a1'))?.revokedAt, T0);
      assert.equal((await store.sessions.get('a2'))?.revokedAt, null);
      assert.equal((await store.sessions.get('g1'))?.revokedAt, null);
    });

    test('listActive excludes revoked and expired, filters, pages newest first with a total', async () => {
      for (let i = 0; i < 5; i++) await store.sessions.create(session(`s${i}`, { createdAt: T0 + i }));
      await store.sessions.create(session('expired', { expiresAt: T0 + 10 }));
      await store.sessions.create(session('revoked', { revokedAt: T0, revokedReason: 'x' }));
      await store.sessions.create(session('bob', { userKey: 'tid:bob', email: 'bob@contoso.com', createdAt: T0 + 9 }));
      const now = T0 + HOUR;
      const p1 = await store.sessions.listActive({ email: 'alice@contoso.com', limit: 2, offset: 0 }, now);
      assert.equal(p1.total, 5);
      assert.deepEqual(p1.items.map((s) => s.id), ['s4', 's3']);
      const p3 = await store.sessions.listActive({ userKey: 'tid:alice', limit: 2, offset: 4 }, now);
      assert.deepEqual(p3.items.map((s) => s.id), ['s0']);
      const all = await store.sessions.listActive({ limit: 100, offset: 0 }, now);
      assert.equal(all.total, 6);
      const g = await store.sessions.get('s0');
      if (!g) throw new Error('s0 missing');
      await store.sessions.create(appSession('app1', g, 'wiki', { createdAt: T0 + 20 }));
      assert.deepEqual((await store.sessions.listActive({ appId: 'wiki', limit: 10, offset: 0 }, now)).items.map((s) => s.id), ['app1']);
    });

    test('revokeIdpSessions ends the sign-ins with that IdP sid and/or sub, with their app sessions, and nothing else', async () => {
      const g1 = session('g1', { idpSid: 'sidA', idpSub: 'subA' });
      await store.sessions.create(g1);
      await store.sessions.create(appSession('a1', g1, 'wiki'));
      await store.sessions.create(session('g2', { idpSid: 'sidB', idpSub: 'subA' }));
      await store.sessions.create(session('g3', { idpSid: 'sidA', idpSub: 'subA', idp: 'okta' }));
      await store.sessions.create(session('g4', { idpSid: 'sidC', idpSub: 'subC' }));
      assert.deepEqual(await store.sessions.revokeIdpSessions({ idp: 'entra', sid: 'sidA' }, 'idp logout', T0 + 1), ['g1']);
      assert.equal((await store.sessions.get('a1'))?.revokedReason, 'idp logout');
      assert.equal((await store.sessions.get('g3'))?.revokedAt, null, 'another IdP with the same sid is left alone');
      assert.deepEqual(await store.sessions.revokeIdpSessions({ idp: 'entra', sid: 'sidB', sub: 'subC' }, 'x', T0 + 2), [], 'sid and sub must both match');
      assert.deepEqual(await store.sessions.revokeIdpSessions({ idp: 'entra', sub: 'subA' }, 'x', T0 + 3), ['g2']);
      assert.equal((await store.sessions.get('g4'))?.revokedAt, null);
      await assert.rejects(async () => store.sessions.revokeIdpSessions({ idp: 'entra' }, 'x', T0 + 4), /needs sid or sub/);
    });

    test('pageActive: keyset pages give every active row exactly once, in listActive order, while rows are inserted', async () => {
      // Ties on createdAt (three per millisecond) so the id tie-break is exercised across page ends.
      for (let i = 0; i < 30; i++) await store.sessions.create(session(`s${String(i).padStart(2, '0')}`, { createdAt: T0 + Math.floor(i / 3) }));
      await store.sessions.create(session('expired', { createdAt: T0 + 5, expiresAt: T0 + 10 }));
      await store.sessions.create(session('revoked', { createdAt: T0 + 5, revokedAt: T0, revokedReason: 'x' }));
      const now = T0 + HOUR;
      const expected = (await store.sessions.listActive({ limit: 1000, offset: 0 }, now)).items.map((s) => s.id);
      const seen: string[] = [];
      let after: { createdAt: number; id: string } | undefined;
      for (let pageNo = 0; pageNo < 50; pageNo++) {
        const page = await store.sessions.pageActive({ limit: 4, ...(after ? { after } : {}) }, now);
        seen.push(...page.map((s) => s.id));
        // Newer sign-ins arrive while an admin pages (they belong before page 1, so never appear),
        // and one as old as the page's end with a smaller id (before the cursor: never appears either).
        await store.sessions.create(session(`new${pageNo}`, { createdAt: T0 + 100 + pageNo }));
        const last = page.at(-1);
        if (last) await store.sessions.create(session(`0tie${pageNo}`, { createdAt: last.createdAt }));
        if (page.length < 4) break;
        after = { createdAt: last!.createdAt, id: last!.id };
      }
      assert.deepEqual(seen, expected);
      assert.equal(new Set(seen).size, 30);
      const wiki = await store.sessions.pageActive({ appId: 'wiki', limit: 10 }, now);
      assert.deepEqual(wiki, []);
    });

    test('purgeExpired deletes sessions expired or revoked before the cut-off', async () => {
      await store.sessions.create(session('old', { expiresAt: T0 + 10 }));
      await store.sessions.create(session('revoked', { revokedAt: T0 + 5, revokedReason: 'x' }));
      await store.sessions.create(session('live', { expiresAt: T0 + HOUR }));
      await store.sessions.create(session('recentRevoke', { revokedAt: T0 + 200, revokedReason: 'x' }));
      assert.equal(await store.sessions.purgeExpired(T0 + 100), 2);
      assert.equal(await store.sessions.get('old'), null);
      assert.equal(await store.sessions.get('revoked'), null);
      assert.ok(await store.sessions.get('live'));
      assert.ok(await store.sessions.get('recentRevoke'));
    });
  });
}
