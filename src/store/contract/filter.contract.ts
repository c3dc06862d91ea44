// Contract: SCIM filter → SQL, run end to end through UsersRepo/GroupsRepo.list against a fixed
// directory: every operator, and/or/not, value paths, enterprise attributes, caseExact rules,
// LIKE escaping, null-safety, sorting and paging, and the filters that must be refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Filter } from '../../directory/scim/filter-ast.ts';
import { StoreUnsupportedFilterError } from '../errors.ts';
import type { Store } from '../ports.ts';
import { group, T0, user } from './fixtures.ts';

const DAY = 86_400_000;
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user';
const iso = (ms: number) => new Date(ms).toISOString();
const eq = (attr: string, value: string | boolean, sub?: string): Filter => ({ op: 'eq', path: { attr, ...(sub ? { sub } : {}) }, value });
const op = (o: 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le', attr: string, value: string, sub?: string): Filter => ({ op: o, path: { attr, ...(sub ? { sub } : {}) }, value });
const pr = (attr: string, sub?: string): Filter => ({ op: 'pr', path: { attr, ...(sub ? { sub } : {}) } });
const and = (left: Filter, right: Filter): Filter => ({ op: 'and', left, right });
const or = (left: Filter, right: Filter): Filter => ({ op: 'or', left, right });
const not = (filter: Filter): Filter => ({ op: 'not', filter });
const vp = (attr: string, filter: Filter): Filter => ({ op: 'valuePath', path: { attr }, filter });

const USER_CASES: [string, Filter, string[]][] = [
  ['userName eq is case-insensitive', eq('username', 'ALICE'), ['u1']],
  ['userName ne', op('ne', 'username', 'alice'), ['u2', 'u3', 'u4']],
  ['userName co', op('co', 'username', 'LI'), ['u1']],
  ['userName sw', op('sw', 'username', 'B'), ['u2']],
  ['userName ew', op('ew', 'username', 'B_B'), ['u2']],
  ['co escapes _', op('co', 'username', '_'), ['u2']],
  ['co escapes %', op('co', 'displayname', '%'), ['u2']],
  ['co escapes \\', op('co', 'username', '\\'), ['u4']],
  ['userName gt/ge/lt/le', and(op('ge', 'username', 'carol'), op('lt', 'username', 'e')), ['u3', 'u4']],
  ['displayName gt skips absent values', op('gt', 'displayname', 'b'), ['u2', 'u4']],
  ['displayName le', op('le', 'displayname', 'alice smith'), ['u1']],
  ['externalId eq is caseExact', eq('externalid', 'EXT-1'), ['u1', 'u4']],
  ['externalId eq other case', eq('externalid', 'ext-1'), ['u2']],
  ['externalId co is caseExact', op('co', 'externalid', 'xt-'), ['u2']],
  ['externalId sw is caseExact', op('sw', 'externalid', 'EXT'), ['u1', 'u4']],
  ['externalId ew', op('ew', 'externalid', '-1'), ['u1', 'u2', 'u4']],
  ['id eq', eq('id', 'u3'), ['u3']],
  ['id eq is caseExact', eq('id', 'U3'), []],
  ['active eq false', eq('active', false), ['u2']],
  ['active ne false', { op: 'ne', path: { attr: 'active' }, value: false }, ['u1', 'u3', 'u4']],
  ['title pr', pr('title'), ['u1']],
  ['not (title pr)', not(pr('title')), ['u2', 'u3', 'u4']],
  ['title eq (JSON, case-insensitive)', eq('title', 'ENGINEER'), ['u1']],
  ['not (title eq) includes users without a title', not(eq('title', 'Engineer')), ['u2', 'u3', 'u4']],
  ['emails.value eq matches a secondary email', eq('emails', 'ALICE@home.example', 'value'), ['u1']],
  ['emails co (implicit value)', op('co', 'emails', '@contoso.com'), ['u1', 'u4']],
  ['emails.value ne', op('ne', 'emails', 'alice@contoso.com', 'value'), ['u2', 'u3', 'u4']],
  ['emails pr', pr('emails'), ['u1', 'u2', 'u4']],
  ['emails[type eq "work"]', vp('emails', eq('type', 'work')), ['u1', 'u2', 'u4']],
  ['emails[type and value] on one element', vp('emails', and(eq('type', 'work'), op('co', 'value', 'contoso'))), ['u1', 'u4']],
  ['emails[...] never mixes elements', vp('emails', and(eq('type', 'home'), op('co', 'value', 'contoso'))), []],
  ['emails[primary eq true]', vp('emails', eq('primary', true)), ['u1']],
  ['emails[not (primary eq true)]', vp('emails', not(eq('primary', true))), ['u1', 'u2', 'u4']],
  ['name.givenName sw', op('sw', 'name', 'a', 'givenname'), ['u1']],
  ['name.familyName eq', eq('name', 'JONES', 'familyname'), ['u2']],
  ['name pr (an empty object is absent)', pr('name'), ['u1', 'u2']],
  ['meta.created gt', op('gt', 'meta', iso(T0 + DAY), 'created'), ['u3', 'u4']],
  ['meta.lastModified le', op('le', 'meta', iso(T0), 'lastmodified'), ['u1']],
  ['meta.created eq', eq('meta', iso(T0 + 2 * DAY), 'created'), ['u3']],
  ['enterprise employeeNumber (URN)', { op: 'eq', path: { schema: ENT, attr: 'employeenumber' }, value: '1001' }, ['u1']],
  ['enterprise department without URN', eq('department', 'sales'), ['u2']],
  ['enterprise manager eq (Entra form)', { op: 'eq', path: { schema: ENT, attr: 'manager' }, value: 'u3' }, ['u1']],
  ['enterprise manager.value', { op: 'eq', path: { schema: ENT, attr: 'manager', sub: 'value' }, value: 'u3' }, ['u1']],
  ['core URN prefix', { op: 'eq', path: { schema: 'urn:ietf:params:scim:schemas:core:2.0:user', attr: 'username' }, value: 'carol' }, ['u3']],
  ['or', or(eq('username', 'alice'), eq('username', 'carol')), ['u1', 'u3']],
  ['and + not', and(eq('active', true), not(op('co', 'emails', 'contoso'))), ['u3']],
  ['precedence is the tree', or(eq('id', 'u2'), and(eq('id', 'u1'), eq('active', false))), ['u2']],
  ['groups.value', eq('groups', 'g1', 'value'), ['u1', 'u2']],
  ['groups.display', eq('groups', 'ADMINS', 'display'), ['u1']],
];

const GROUP_CASES: [string, Filter, string[]][] = [
  ['displayName eq is case-insensitive', eq('displayname', 'STAFF'), ['g1']],
  ['displayName sw', op('sw', 'displayname', 'a'), ['g2']],
  ['members.value eq', eq('members', 'u2', 'value'), ['g1']],
  ['members[value eq]', vp('members', eq('value', 'u1')), ['g1', 'g2']],
  ['members.display co', op('co', 'members', 'bob', 'display'), ['g1']],
  ['members pr', pr('members'), ['g1', 'g2']],
  ['not (members pr)', not(pr('members')), ['g3']],
  ['externalId eq', eq('externalid', 'G-1'), ['g1']],
];

const REFUSED: [string, Filter][] = [
  ['unknown attribute', eq('nosuch', 'x')],
  ['unknown sub-attribute', eq('name', 'x', 'nosuch')],
  ['unknown schema', { op: 'eq', path: { schema: 'urn:example:foo', attr: 'username' }, value: 'x' }],
  ['gt on a boolean', { op: 'gt', path: { attr: 'active' }, value: true }],
  ['a number for a string attribute', { op: 'eq', path: { attr: 'username' }, value: 5 }],
  ['a bad dateTime', eq('meta', 'yesterday', 'created')],
  ['co on a dateTime', op('co', 'meta', '2024', 'created')],
  ['a whole complex attribute compared', eq('name', 'x')],
  ['a nested value filter', vp('emails', vp('emails', eq('type', 'work')))],
  ['a value filter on a singular attribute', vp('username', eq('value', 'x'))],
];

export function describeFilterContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name}: SCIM filters`, () => {
    let store: Store;
    before(async () => {
      store = await makeStore();
      const { directories, users, groups } = store.directory;
      await directories.create({ id: 'd1', name: 'Contoso', createdAt: T0 });
      await directories.create({ id: 'd2', name: 'Other', createdAt: T0 });
      await users.create('d1', user('u1', 'Alice', {
        externalId: 'EXT-1', displayName: 'Alice Smith', givenName: 'Alice', familyName: 'Smith', title: 'Engineer',
        emails: [{ value: 'alice@contoso.com', type: 'work', primary: true }, { value: 'alice@home.example', type: 'home' }],
        employeeNumber: '1001', department: 'R&D', manager: 'u3', createdAt: T0,
      }));
      await users.create('d1', user('u2', 'bob_b', {
        externalId: 'ext-1', displayName: 'Bob 100%', givenName: 'Bob', familyName: 'Jones', active: false,
        emails: [{ value: 'bob@fabrikam.com', type: 'work' }], employeeNumber: '1002', department: 'Sales', createdAt: T0 + DAY,
      }));
      await users.create('d1', user('u3', 'carol', { emails: [], createdAt: T0 + 2 * DAY }));
      await users.create('d1', user('u4', 'dave\\x', {
        externalId: 'EXT-1', displayName: 'Dave_X', emails: [{ value: 'dave@contoso.com', type: 'Work', primary: false }], createdAt: T0 + 3 * DAY,
      }));
      await users.create('d2', user('u1', 'alice', { title: 'Engineer' }));
      await groups.create('d1', group('g1', 'Staff', { externalId: 'G-1' }));
      await groups.create('d1', group('g2', 'Admins'));
      await groups.create('d1', group('g3', 'Empty'));
      await groups.applyMembers('d1', 'g1', { add: ['u1', 'u2'], remove: [] });
      await groups.applyMembers('d1', 'g2', { add: ['u1'], remove: [] });
    });
    after(async () => { await store.close(); });

    for (const [title, filter, ids] of USER_CASES) {
      test(`users: ${title}`, async () => {
        const r = await store.directory.users.list('d1', { filter, startIndex: 1, count: 100 });
        assert.deepEqual(r.items.map((u) => u.id).sort(), ids);
        assert.equal(r.total, ids.length);
      });
    }
    for (const [title, filter, ids] of GROUP_CASES) {
      test(`groups: ${title}`, async () => {
        const r = await store.directory.groups.list('d1', { filter, startIndex: 1, count: 100, withMembers: false });
        assert.deepEqual(r.items.map((g) => g.id).sort(), ids);
      });
    }
    for (const [title, filter] of REFUSED) {
      test(`refused, never widened: ${title}`, async () => {
        await assert.rejects(store.directory.users.list('d1', { filter, startIndex: 1, count: 100 }), StoreUnsupportedFilterError);
      });
    }

    test('sortBy and paging: stable order, absent values last, 1-based startIndex, count 0', async () => {
      const list = (q: Partial<Parameters<Store['directory']['users']['list']>[1]>) =>
        store.directory.users.list('d1', { startIndex: 1, count: 100, ...q }).then((r) => r.items.map((u) => u.id));
      assert.deepEqual(await list({}), ['u1', 'u2', 'u3', 'u4']);
      assert.deepEqual(await list({ sortBy: { attr: 'username' }, sortOrder: 'descending' }), ['u4', 'u3', 'u2', 'u1']);
      assert.deepEqual(await list({ sortBy: { attr: 'displayname' } }), ['u1', 'u2', 'u4', 'u3']);
      assert.deepEqual(await list({ sortBy: { attr: 'meta', sub: 'created' }, sortOrder: 'descending' }), ['u4', 'u3', 'u2', 'u1']);
      assert.deepEqual(await list({ sortBy: { attr: 'emails' } }), ['u1', 'u2', 'u4', 'u3']);
      assert.deepEqual(await list({ sortBy: { attr: 'title' } }), ['u1', 'u2', 'u3', 'u4']);
      assert.deepEqual(await list({ startIndex: 2, count: 2 }), ['u2', 'u3']);
      assert.deepEqual(await list({ startIndex: 0, count: 1 }), ['u1']);
      const zero = await store.directory.users.list('d1', { startIndex: 1, count: 0 });
      assert.deepEqual(zero, { total: 4, items: [] });
      await assert.rejects(list({ sortBy: { attr: 'phonenumbers' } }), StoreUnsupportedFilterError);
    });
  });
}
