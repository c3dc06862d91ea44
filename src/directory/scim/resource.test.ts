import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeResource } from './resource.ts';
import { GROUP, USER } from './schemas.ts';
import { ScimError } from './errors.ts';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';

describe('normalizeResource', () => {
  test('Entra create-user body becomes canonical JSON with indexed fields', () => {
    const { resource, indexed } = normalizeResource({
      schemas: [CORE, ENT],
      externalId: 'alice',
      userName: 'alice@contoso.com',
      active: true,
      emails: [{ primary: true, type: 'work', value: 'alice@contoso.com' }],
      meta: { resourceType: 'User' },
      name: { formatted: 'Alice L', familyName: 'L', givenName: 'Alice' },
      roles: [],
      addresses: null,
      title: null,
      [ENT]: { manager: 'M-1', department: 'Eng' },
    }, USER);
    assert.deepEqual(resource, {
      schemas: [CORE, ENT],
      externalId: 'alice',
      userName: 'alice@contoso.com',
      active: true,
      emails: [{ primary: true, type: 'work', value: 'alice@contoso.com' }],
      name: { formatted: 'Alice L', familyName: 'L', givenName: 'Alice' },
      [ENT]: { manager: { value: 'M-1' }, department: 'Eng' },
    });
    assert.deepEqual(indexed, {
      userName: 'alice@contoso.com', externalId: 'alice', active: true, displayName: null,
      email: 'alice@contoso.com', givenName: 'Alice', familyName: 'L',
    });
  });

  test('Postman enterprise user: capitalised keys, "True" strings, unknown and readOnly attributes', () => {
    const { resource } = normalizeResource({
      schemas: [CORE, ENT], id: 'client-chosen', UserName: 'bob', Active: 'True', DisplayName: 'Bob', adreses: [{ x: 1 }],
      emails: [{ Primary: 'true', Type: 'work', Value: 'bob@x' }],
      groups: [{ value: 'G' }], meta: { created: '2020-01-01T00:00:00Z' },
      [ENT.toLowerCase()]: { Department: 'Sales', Manager: { Value: 'M-2' } },
    }, USER);
    assert.deepEqual(resource, {
      schemas: [CORE, ENT], userName: 'bob', active: true, displayName: 'Bob',
      emails: [{ primary: true, type: 'work', value: 'bob@x' }],
      [ENT]: { department: 'Sales', manager: { value: 'M-2' } },
    });
  });

  test('the email column prefers primary, then the first work email', () => {
    const idx = (emails: unknown) => normalizeResource({ userName: 'u', emails }, USER).indexed.email;
    assert.equal(idx([{ value: 'h@x', type: 'home' }, { value: 'w@x', type: 'work' }]), 'w@x');
    assert.equal(idx([{ value: 'w@x', type: 'work' }, { value: 'p@x', type: 'home', primary: true }]), 'p@x');
    assert.equal(idx([{ value: 'h@x', type: 'home' }]), null);
  });

  test('missing active reads as enabled, a false string as disabled', () => {
    assert.equal(normalizeResource({ userName: 'u' }, USER).indexed.active, true);
    assert.equal(normalizeResource({ userName: 'u', active: 'False' }, USER).indexed.active, false);
  });

  const BAD: Array<[string, unknown, string]> = [
    ['missing userName', { schemas: [CORE], displayName: 'x' }, 'invalidValue'],
    ['empty userName', { userName: '' }, 'invalidValue'],
    ['not an object', [], 'invalidSyntax'],
    ['schemas not strings', { schemas: 'x', userName: 'u' }, 'invalidSyntax'],
    ['wrong type', { userName: 'u', active: 'yes' }, 'invalidValue'],
    ['nested wrong type', { userName: 'u', name: { givenName: 5 } }, 'invalidValue'],
    ['two managers', { userName: 'u', [ENT]: { manager: ['a', 'b'] } }, 'invalidValue'],
  ];
  for (const [name, body, scimType] of BAD) {
    test(`rejects ${name} with ${scimType}`, () => {
      assert.throws(() => normalizeResource(body, USER), (e: unknown) => e instanceof ScimError && e.status === 400 && e.scimType === scimType);
    });
  }

  test('Entra group create: MS schema URI accepted, members split out', () => {
    const n = normalizeResource({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
      externalId: 'obj-1', displayName: 'Engineering', meta: { resourceType: 'Group' },
    }, GROUP);
    assert.deepEqual(n.resource, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], externalId: 'obj-1', displayName: 'Engineering' });
    assert.equal(n.members, undefined);
    const withMembers = normalizeResource({ displayName: 'G', members: [{ value: 'u1', display: 'U' }, 'u2'] }, GROUP);
    assert.deepEqual(withMembers.members, [{ value: 'u1' }, { value: 'u2' }]);
    assert.equal('members' in withMembers.resource, false);
    assert.throws(() => normalizeResource({ members: [] }, GROUP), ScimError);
  });
});
