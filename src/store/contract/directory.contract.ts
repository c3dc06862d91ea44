// Contract: DirectoryStore — tenants, tokens, users, groups, memberships, provisioning log, and
// isolation between directories. Must not: reach past the ports.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StoreConflictError, StoreVersionError } from '../errors.ts';
import type { Store } from '../ports.ts';
import { group, T0, user } from './fixtures.ts';

const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);
const conflict = (field: string) => (e: unknown) => e instanceof StoreConflictError && e.field === field;

export function describeDirectoryContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name}: directory`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
      await store.directory.directories.create({ id: 'd1', name: 'Contoso', createdAt: T0 });
      await store.directory.directories.create({ id: 'd2', name: 'Fabrikam', createdAt: T0 });
    });
    afterEach(async () => { await store.close(); });

    test('directories: get, getByName case-insensitively, list, unique name', async () => {
      const d = store.directory.directories;
      assert.deepEqual(await d.get('d1'), { id: 'd1', name: 'Contoso', createdAt: T0 });
      assert.equal((await d.getByName('CONTOSO'))?.id, 'd1');
      assert.equal(await d.getByName('nope'), null);
      assert.deepEqual((await d.list()).map((x) => x.id), ['d1', 'd2']);
      await assert.rejects(d.create({ id: 'd3', name: 'contoso', createdAt: T0 }), conflict('name'));
      await assert.rejects(d.create({ id: 'd1', name: 'Other', createdAt: T0 }), conflict('id'));
    });

    test('tokens: create, findByHash, list per directory, revoke once, touch', async () => {
      const t = store.directory.tokens;
      await t.create({ id: 't1', directoryId: 'd1', name: 'entra', hash: HASH_A, createdAt: T0 });
      await t.create({ id: 't2', directoryId: 'd2', name: 'okta', hash: HASH_B, createdAt: T0 + 1 });
      assert.deepEqual(await t.findByHash(HASH_A), { id: 't1', directoryId: 'd1', name: 'entra', hash: HASH_A, createdAt: T0, lastUsedAt: null, revokedAt: null });
      assert.equal(await t.findByHash('c'.repeat(64)), null);
      assert.deepEqual((await t.list('d2')).map((x) => x.id), ['t2']);
      assert.deepEqual((await t.list()).map((x) => x.id), ['t1', 't2']);
      await t.touch('t1', T0 + 5);
      assert.equal(await t.revoke('t1', T0 + 9), true);
      assert.equal(await t.revoke('t1', T0 + 10), false);
      const r = await t.findByHash(HASH_A);
      assert.equal(r?.lastUsedAt, T0 + 5);
      assert.equal(r?.revokedAt, T0 + 9);
      await assert.rejects(t.create({ id: 't3', directoryId: 'd1', name: 'dup', hash: HASH_A, createdAt: T0 }), conflict('hash'));
      await assert.rejects(t.create({ id: 't4', directoryId: 'nope', name: 'x', hash: 'd'.repeat(64), createdAt: T0 }), conflict('directoryId'));
    });

    test('users: create/get round-trip, userName unique case-insensitively per directory, externalId not unique', async () => {
      const u = store.directory.users;
      const alice = user('u1', 'Alice@Contoso.com', { externalId: 'X1', displayName: 'Alice', givenName: 'Alice', familyName: 'Smith' });
      await u.create('d1', alice);
      const got = await u.get('d1', 'u1');
      assert.deepEqual({ ...got, raw: JSON.parse(got?.raw ?? '{}') }, { ...alice, raw: JSON.parse(alice.raw) });
      await assert.rejects(u.create('d1', user('u2', 'ALICE@contoso.COM')), conflict('userName'));
      await assert.rejects(u.create('d1', user('u1', 'someone')), conflict('id'));
      await u.create('d1', user('u3', 'bob@contoso.com', { externalId: 'X1' }));
      await u.create('d2', user('u9', 'alice@contoso.com'));
      assert.equal((await u.findByUserName('d1', 'aLiCe@CONTOSO.com'))?.id, 'u1');
      assert.equal(await u.findByUserName('d1', 'nobody'), null);
    });

    test('users: replace bumps the version, checks expectedVersion, keeps userName unique', async () => {
      const u = store.directory.users;
      await u.create('d1', user('u1', 'alice'));
      await u.create('d1', user('u2', 'bob'));
      const r1 = await u.replace('d1', 'u1', user('u1', 'alice.smith', { displayName: 'Alice S', lastModified: T0 + 1 }));
      assert.equal(r1?.version, 2);
      assert.equal(r1?.userName, 'alice.smith');
      assert.equal(r1?.lastModified, T0 + 1);
      const r2 = await u.replace('d1', 'u1', user('u1', 'alice.smith', { active: false }), 2);
      assert.equal(r2?.version, 3);
      assert.equal(r2?.active, false);
      await assert.rejects(u.replace('d1', 'u1', user('u1', 'x'), 2), (e) => e instanceof StoreVersionError && e.actual === 3);
      await assert.rejects(u.replace('d1', 'u1', user('u1', 'BOB')), conflict('userName'));
      assert.equal((await u.get('d1', 'u1'))?.userName, 'alice.smith');
      assert.equal(await u.replace('d1', 'missing', user('missing', 'm')), null);
    });

    test('users: findByEmail crosses directories; delete removes memberships', async () => {
      const u = store.directory.users;
      await u.create('d1', user('u1', 'alice', { emails: [{ value: 'Alice@Contoso.com', primary: true }] }));
      await u.create('d2', user('u2', 'alice2', { emails: [{ value: 'alice@contoso.com' }], active: false }));
      assert.deepEqual(await u.findByEmail('ALICE@contoso.com'), [
        { directoryId: 'd1', id: 'u1', userName: 'alice', active: true },
        { directoryId: 'd2', id: 'u2', userName: 'alice2', active: false },
      ]);
      await store.directory.groups.create('d1', group('g1', 'Staff'));
      await store.directory.groups.applyMembers('d1', 'g1', { add: ['u1'], remove: [] });
      assert.equal(await u.delete('d1', 'u1'), true);
      assert.equal(await u.delete('d1', 'u1'), false);
      assert.equal((await store.directory.groups.get('d1', 'g1'))?.memberCount, 0);
    });

    test('users: getMany returns the existing users among the ids, in this directory only', async () => {
      const { users } = store.directory;
      for (const id of ['u1', 'u2', 'u3']) await users.create('d1', user(id, id));
      await users.create('d2', user('x1', 'other'));
      const got = await users.getMany('d1', ['u3', 'u1', 'u1', 'ghost', 'x1']);
      assert.deepEqual(got.map((u) => u.id).sort(), ['u1', 'u3']);
      assert.deepEqual(await users.getMany('d1', []), []);
    });

    test('users: pageAfter gives every user exactly once, in list order, while users are created; filters and directory hold', async () => {
      const { users } = store.directory;
      // Ties on createdAt (four per millisecond) so the id tie-break is exercised across page ends.
      for (let i = 0; i < 23; i++) await users.create('d1', user(`u${String(i).padStart(2, '0')}`, `user${i}`, { createdAt: T0 + Math.floor(i / 4), displayName: i % 2 ? 'Odd One' : 'Even One' }));
      await users.create('d2', user('x1', 'other'));
      const expected = (await users.list('d1', { startIndex: 1, count: 100 })).items.map((u) => u.id);
      const seen: string[] = [];
      let after: { createdAt: number; id: string } | undefined;
      for (let n = 0; n < 20; n++) {
        const page = await users.pageAfter('d1', { limit: 5, ...(after ? { after } : {}) });
        seen.push(...page.map((u) => u.id));
        // Provisioning goes on while an admin pages: a later user lands after the last page (seen
        // once), one as old as this page's end with a smaller id lands before the cursor (never).
        const last = page.at(-1);
        if (last) await users.create('d1', user(`a-${n}`, `tie${n}`, { createdAt: last.createdAt }));
        if (page.length < 5) break;
        after = { createdAt: last!.createdAt, id: last!.id };
        if (n === 1) await users.create('d1', user('z-late', 'late', { createdAt: T0 + 1000 }));
      }
      assert.deepEqual(seen, [...expected, 'z-late']);
      const odd = await users.pageAfter('d1', { limit: 100, filter: { op: 'co', path: { attr: 'displayname' }, value: 'odd' } });
      assert.deepEqual(odd.map((u) => u.id), expected.filter((_, i) => i % 2 === 1));
    });

    test('users: a name search finds a substring of userName or displayName in any case, follows renames and deletions, and pages', async () => {
      const { users } = store.directory;
      const mk = (id: string, userName: string, displayName: string | null, at: number) => users.create('d1', user(id, userName, { createdAt: T0 + at, ...(displayName === null ? {} : { displayName }) }));
      await mk('u1', 'Anna.Berg@contoso.com', 'Anna Berg', 1);
      await mk('u2', 'bob@contoso.com', 'ÉMILE Ünal', 2);
      await mk('u3', 'carol@contoso.com', null, 3);
      await mk('u4', 'dan"quote@contoso.com', 'Dan 100% Sure_x', 4);
      for (let i = 0; i < 7; i++) await mk(`p${i}`, `pager${i}@fabrikam.com`, `Pager ${i}`, 10 + i);
      await users.create('d2', user('x1', 'anna.other@contoso.com'));
      const ids = async (search: string, limit = 100, after?: { createdAt: number; id: string }) =>
        (await users.pageAfter('d1', { search, limit, ...(after ? { after } : {}) })).map((u) => u.id);
      assert.deepEqual(await ids('NA.BE'), ['u1'], 'userName, any case');
      assert.deepEqual(await ids('émile ü'), ['u2'], 'displayName, non-ASCII lowered');
      assert.deepEqual(await ids('na'), ['u1', 'u2'], 'two characters: below a trigram, still found');
      assert.deepEqual(await ids('CAROL@'), ['u3'], 'no displayName');
      assert.deepEqual(await ids('n"quo'), ['u4'], 'a double quote is literal');
      assert.deepEqual(await ids('100%'), ['u4'], '% is literal');
      assert.deepEqual(await ids('n_b'), [], '_ is literal, not any character');
      assert.deepEqual(await ids('a%b'), [], '% is literal, not any text');
      assert.deepEqual(await ids('nobody-at-all'), []);
      assert.deepEqual(await ids('anna'), ['u1'], 'other directories stay out');
      const first = await ids('fabrikam', 3);
      assert.deepEqual(first, ['p0', 'p1', 'p2']);
      assert.deepEqual(await ids('fabrikam', 3, { createdAt: T0 + 12, id: 'p2' }), ['p3', 'p4', 'p5'], 'a search pages with the cursor');
      const u2 = await users.get('d1', 'u2');
      await users.replace('d1', 'u2', { ...u2!, displayName: 'Zora Quill' });
      assert.deepEqual(await ids('émile'), [], 'the old name is no longer found');
      assert.deepEqual(await ids('RA QUI'), ['u2'], 'the new name is');
      await users.delete('d1', 'u1');
      assert.deepEqual(await ids('anna'), [], 'a deleted user is not found');
      await users.create('d1', user('u1', 'anna.again@contoso.com', { createdAt: T0 + 50 }));
      assert.deepEqual(await ids('anna.a'), ['u1'], 'a user created again under the same id is found by the new name');
      assert.deepEqual(await ids('berg'), [], 'and not by the old one');
    });

    test('groups: memberCount follows adds, removes, replaceAll, removeAll and user deletion without a recount', async () => {
      const { users, groups } = store.directory;
      for (const id of ['u1', 'u2', 'u3']) await users.create('d1', user(id, id));
      await groups.create('d1', group('g1', 'Staff'));
      const count = async () => (await groups.get('d1', 'g1'))?.memberCount;
      await groups.applyMembers('d1', 'g1', { add: ['u1', 'u2', 'u1', 'ghost'], remove: [] });
      assert.equal(await count(), 2, 'duplicates and unknown ids do not count');
      await groups.applyMembers('d1', 'g1', { add: ['u2'], remove: ['u2'] });
      assert.equal(await count(), 2, 'a member removed and re-added in one delta is still one member');
      await groups.applyMembers('d1', 'g1', { add: [], remove: [], replaceAll: ['u3'] });
      assert.equal(await count(), 1);
      assert.equal((await groups.members('d1', 'g1', { startIndex: 1, count: 10 })).total, 1);
      await groups.applyMembers('d1', 'g1', { add: ['u1', 'u2'], remove: [] });
      await users.delete('d1', 'u2');
      assert.equal(await count(), 2);
      await groups.applyMembers('d1', 'g1', { add: [], remove: [], removeAll: true });
      assert.equal(await count(), 0);
    });

    test('isolation: a directory never sees another directory\'s users or groups', async () => {
      const { users, groups } = store.directory;
      await users.create('d1', user('u1', 'alice'));
      await groups.create('d1', group('g1', 'Staff'));
      await groups.create('d2', group('g1', 'Staff'));
      assert.equal(await users.get('d2', 'u1'), null);
      assert.equal(await users.findByUserName('d2', 'alice'), null);
      assert.equal((await users.list('d2', { startIndex: 1, count: 10 })).total, 0);
      assert.equal(await users.delete('d2', 'u1'), false);
      assert.equal(await users.replace('d2', 'u1', user('u1', 'x')), null);
      // A d1 user id cannot be added to a d2 group.
      assert.deepEqual(await groups.applyMembers('d2', 'g1', { add: ['u1'], remove: [] }), { added: [], removed: [] });
      assert.equal((await groups.list('d1', { startIndex: 1, count: 10, withMembers: false })).total, 1);
      assert.deepEqual(await groups.groupsOfUser('d2', 'u1'), []);
    });

    test('groups: create/get with memberCount, unique displayName, replace with version', async () => {
      const g = store.directory.groups;
      await g.create('d1', group('g1', 'Engineering', { externalId: 'E1' }));
      await assert.rejects(g.create('d1', group('g2', 'ENGINEERING')), conflict('displayName'));
      await g.create('d2', group('g2', 'Engineering'));
      const got = await g.get('d1', 'g1');
      assert.equal(got?.memberCount, 0);
      assert.equal(got?.externalId, 'E1');
      assert.deepEqual(JSON.parse(got?.raw ?? ''), JSON.parse(group('g1', 'Engineering').raw));
      const r = await g.replace('d1', 'g1', group('g1', 'Eng', { lastModified: T0 + 3 }), 1);
      assert.equal(r?.version, 2);
      assert.equal(r?.displayName, 'Eng');
      await assert.rejects(g.replace('d1', 'g1', group('g1', 'Eng2'), 1), StoreVersionError);
      await g.create('d1', group('g3', 'Sales'));
      await assert.rejects(g.replace('d1', 'g3', group('g3', 'eng')), conflict('displayName'));
      assert.equal(await g.replace('d1', 'zz', group('zz', 'x')), null);
      assert.equal(await g.delete('d1', 'g1'), true);
      assert.equal(await g.get('d1', 'g1'), null);
    });

    test('groups: member delta semantics — add, remove, replaceAll, removeAll, unknown ids ignored', async () => {
      const g = store.directory.groups;
      for (const id of ['u1', 'u2', 'u3', 'u4']) await store.directory.users.create('d1', user(id, id, { displayName: id.toUpperCase() }));
      await g.create('d1', group('g1', 'Staff'));
      assert.deepEqual(await g.applyMembers('d1', 'g1', { add: ['u1', 'u2', 'u1', 'ghost'], remove: [] }), { added: ['u1', 'u2'], removed: [] });
      assert.deepEqual(await g.applyMembers('d1', 'g1', { add: ['u2'], remove: ['u3'] }), { added: [], removed: [] });
      const r = await g.applyMembers('d1', 'g1', { add: ['u3'], remove: ['u1'] });
      assert.deepEqual({ added: r?.added, removed: r?.removed }, { added: ['u3'], removed: ['u1'] });
      // Removing and re-adding a member in one delta is no change at all.
      assert.deepEqual(await g.applyMembers('d1', 'g1', { add: ['u2'], remove: ['u2'] }), { added: [], removed: [] });
      const rep = await g.applyMembers('d1', 'g1', { replaceAll: ['u3', 'u4', 'ghost'], add: [], remove: [] });
      assert.deepEqual({ added: rep?.added, removed: rep?.removed.sort() }, { added: ['u4'], removed: ['u2'] });
      assert.deepEqual((await g.members('d1', 'g1', { startIndex: 1, count: 10 })).items.map((m) => m.id), ['u3', 'u4']);
      const all = await g.applyMembers('d1', 'g1', { removeAll: true, add: ['u1'], remove: [] });
      assert.deepEqual({ added: all?.added, removed: all?.removed.sort() }, { added: ['u1'], removed: ['u3', 'u4'] });
      assert.equal(await g.applyMembers('d1', 'nope', { add: ['u1'], remove: [] }), null);
    });

    test('groups: applyMembers with modifiedAt bumps version only when membership changed', async () => {
      const g = store.directory.groups;
      await store.directory.users.create('d1', user('u1', 'u1'));
      await g.create('d1', group('g1', 'Staff'));
      await g.applyMembers('d1', 'g1', { add: ['u1'], remove: [], modifiedAt: T0 + 7 });
      await g.applyMembers('d1', 'g1', { add: ['u1'], remove: [], modifiedAt: T0 + 8 });
      const got = await g.get('d1', 'g1');
      assert.equal(got?.version, 2);
      assert.equal(got?.lastModified, T0 + 7);
    });

    test('groups: members pages by id, list withMembers, groupsOfUser, groupNamesForEmail', async () => {
      const g = store.directory.groups;
      await store.directory.users.create('d1', user('u1', 'alice', { displayName: 'Alice', emails: [{ value: 'alice@contoso.com' }] }));
      await store.directory.users.create('d1', user('u2', 'bob'));
      await store.directory.users.create('d1', user('u3', 'carol', { displayName: 'Carol' }));
      await store.directory.users.create('d2', user('x1', 'alice', { emails: [{ value: 'alice@contoso.com' }] }));
      await store.directory.users.create('d2', user('x2', 'inactive', { emails: [{ value: 'ALICE@contoso.com' }], active: false }));
      await g.create('d1', group('g1', 'Staff'));
      await g.create('d1', group('g2', 'Admins'));
      await g.create('d2', group('h1', 'Partners'));
      await g.create('d2', group('h2', 'Hidden'));
      await g.applyMembers('d1', 'g1', { add: ['u3', 'u1', 'u2'], remove: [] });
      await g.applyMembers('d1', 'g2', { add: ['u1'], remove: [] });
      await g.applyMembers('d2', 'h1', { add: ['x1'], remove: [] });
      await g.applyMembers('d2', 'h2', { add: ['x2'], remove: [] });
      const p = await g.members('d1', 'g1', { startIndex: 2, count: 1 });
      assert.deepEqual(p, { total: 3, items: [{ id: 'u2', displayName: 'bob' }] });
      assert.equal((await g.members('d1', 'g1', { startIndex: 1, count: 0 })).items.length, 0);
      const l = await g.list('d1', { startIndex: 1, count: 10, withMembers: true, sortBy: { attr: 'displayname' } });
      assert.deepEqual(l.items.map((x) => [x.id, x.memberCount, x.members?.map((m) => m.displayName)]), [
        ['g2', 1, ['Alice']], ['g1', 3, ['Alice', 'bob', 'Carol']],
      ]);
      assert.equal((await g.list('d1', { startIndex: 1, count: 10, withMembers: false })).items[0]?.members, undefined);
      assert.deepEqual(await g.groupsOfUser('d1', 'u1'), [{ id: 'g2', displayName: 'Admins' }, { id: 'g1', displayName: 'Staff' }]);
      assert.deepEqual(await g.groupNamesForEmail('Alice@Contoso.com'), ['Admins', 'Partners', 'Staff']);
    });

    test('provisioning log: append, query newest first per directory with cursor, purge', async () => {
      const log = store.directory.provisioningLog;
      for (let i = 0; i < 4; i++) {
        await log.append({ time: T0 + i, directoryId: i === 2 ? 'd2' : 'd1', method: 'POST', path: '/Users', operation: 'create', resourceType: 'User', resourceId: `u${i}`, externalId: null, status: 201, error: null, durationMs: 2.5 });
      }
      const d1 = await log.query({ directoryId: 'd1', limit: 2 });
      assert.deepEqual(d1.map((e) => e.resourceId), ['u3', 'u1']);
      assert.deepEqual(d1[0], { time: T0 + 3, directoryId: 'd1', method: 'POST', path: '/Users', operation: 'create', resourceType: 'User', resourceId: 'u3', externalId: null, status: 201, error: null, durationMs: 2.5 });
      assert.deepEqual((await log.query({ limit: 10, before: T0 + 2 })).map((e) => e.resourceId), ['u1', 'u0']);
      assert.deepEqual((await log.query({ limit: 10, since: T0 + 2 })).map((e) => e.resourceId), ['u3', 'u2']);
      assert.equal(await log.purgeBefore(T0 + 2), 2);
      assert.equal((await log.query({ limit: 10 })).length, 2);
    });
  });
}
