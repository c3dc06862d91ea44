// Entra's default attribute mappings applied to emulator users and groups (reference/scim.md §1.0, §1.2, §1.7).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Directory } from '../directory.ts';
import { diffUser, groupCreateBody, mapUser, userAttrsFromScim, userCreateBody, ENTERPRISE_USER_SCHEMA, MS_GROUP_SCHEMA } from './mapping.ts';

function alice() {
  const dir = new Directory();
  const u = dir.addUser({ id: '0c7d9a41-6e2b-4f3a-8d15-2b9e4c7a1f60', userPrincipalName: 'alice@contoso.com', mail: 'alice@contoso.com', displayName: 'Alice Adams', password: 'x' });
  return { dir, u };
}

test('userName ← UPN, active ← accountEnabled, externalId ← object id, work email ← mail, name only when known', () => {
  const { u } = alice();
  const body = userCreateBody(mapUser(u));
  assert.deepEqual(body, {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE_USER_SCHEMA],
    externalId: '0c7d9a41-6e2b-4f3a-8d15-2b9e4c7a1f60', userName: 'alice@contoso.com', active: true, displayName: 'Alice Adams',
    meta: { resourceType: 'User' }, roles: [], emails: [{ primary: true, type: 'work', value: 'alice@contoso.com' }],
  });
  u.givenName = 'Alice';
  u.surname = 'Adams';
  assert.deepEqual(userCreateBody(mapUser(u))['name'], { givenName: 'Alice', familyName: 'Adams', formatted: 'Alice Adams' });
});

test('groups are created with the Microsoft schema URI, externalId ← object id and no members', () => {
  const g = new Directory().addGroup({ id: 'a1000000-0000-4000-8000-000000000001', displayName: 'Finance' });
  const body = groupCreateBody(g);
  assert.deepEqual(body['schemas'], ['urn:ietf:params:scim:schemas:core:2.0:Group', MS_GROUP_SCHEMA]);
  assert.equal(body['externalId'], g.id);
  assert.equal('members' in body, false);
});

test('a probed resource reads back to the same snapshot, so an unchanged user needs no PATCH', () => {
  const { u } = alice();
  const sent = mapUser(u);
  const read = userAttrsFromScim({ id: 'x', ...userCreateBody(sent) });
  assert.deepEqual(read, sent);
  assert.deepEqual(diffUser(sent, read ?? sent), []);
  assert.equal(userAttrsFromScim({ userName: 'a@b', active: 'False' })?.active, false);
  assert.equal(userAttrsFromScim({ id: 'no-username' }), undefined);
});

test('diffUser lists changed attributes in mapping order', () => {
  const { u } = alice();
  const before = mapUser(u);
  assert.deepEqual(diffUser(before, { ...before, active: false, displayName: 'A' }).map((c) => c.attr), ['active', 'displayName']);
});
