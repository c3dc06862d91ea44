import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isRequested, parseAttributeList, project } from './projection.ts';
import { GROUP, USER } from './schemas.ts';
import { ScimError } from './errors.ts';
import type { JsonObject } from './json.ts';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const alice: JsonObject = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENT],
  id: 'U-1',
  userName: 'alice',
  name: { givenName: 'Alice', familyName: 'L' },
  emails: [{ value: 'a@work', type: 'work' }, { value: 'a@home', type: 'home' }],
  [ENT]: { department: 'Eng', manager: { value: 'M' } },
  meta: { resourceType: 'User' },
};
const view = (attributes?: string, excluded?: string): JsonObject =>
  project(alice, USER, {
    ...(attributes === undefined ? {} : { attributes: parseAttributeList(attributes) }),
    ...(excluded === undefined ? {} : { excludedAttributes: parseAttributeList(excluded) }),
  });

describe('project', () => {
  test('without parameters returns every default attribute', () => assert.deepEqual(view(), alice));
  test('Postman attributes=userName,emails keeps id and schemas', () => {
    assert.deepEqual(view('userName,emails'), { schemas: alice['schemas'], id: 'U-1', userName: 'alice', emails: alice['emails'] });
  });
  test('sub-attribute selection and case-insensitive names', () => {
    assert.deepEqual(view('NAME.FamilyName'), { schemas: alice['schemas'], id: 'U-1', name: { familyName: 'L' } });
  });
  test('URN-qualified attribute and whole extension', () => {
    assert.deepEqual(view(`${ENT}:department`), { schemas: alice['schemas'], id: 'U-1', [ENT]: { department: 'Eng' } });
    assert.deepEqual(view(ENT), { schemas: alice['schemas'], id: 'U-1', [ENT]: alice[ENT] });
  });
  test('Postman attributes=emails[type eq "work"] selects the whole emails attribute', () => {
    assert.deepEqual(view('emails[type eq "work"]'), { schemas: alice['schemas'], id: 'U-1', emails: alice['emails'] });
    assert.throws(() => view('emails[type eq '), ScimError);
  });
  test('excludedAttributes cannot remove always-returned id', () => {
    const r = view(undefined, 'id,emails,name.givenName,meta');
    assert.deepEqual(r, { schemas: alice['schemas'], id: 'U-1', userName: 'alice', name: { familyName: 'L' }, [ENT]: alice[ENT] });
  });
  test('excludedAttributes=members on groups, and isRequested tells the service', () => {
    const g = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], id: 'G', displayName: 'Eng', members: [{ value: 'u1' }] };
    const excluded = { excludedAttributes: parseAttributeList('members') };
    assert.deepEqual(project(g, GROUP, excluded), { schemas: g.schemas, id: 'G', displayName: 'Eng' });
    assert.equal(isRequested(GROUP, excluded, 'members'), false);
    assert.equal(isRequested(GROUP, {}, 'members'), true);
    assert.equal(isRequested(GROUP, { attributes: parseAttributeList('displayName') }, 'members'), false);
    assert.equal(isRequested(GROUP, { attributes: parseAttributeList('members.value') }, 'members'), true);
  });
});

test('parseAttributeList splits only top-level commas', () => {
  assert.deepEqual(parseAttributeList('userName, emails[value eq "a,b"] ,name.givenName'), [
    { attr: 'username' }, { attr: 'emails' }, { attr: 'name', sub: 'givenname' },
  ]);
});
