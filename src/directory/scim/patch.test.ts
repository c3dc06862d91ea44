import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPatch } from './patch.ts';
import { GROUP, USER } from './schemas.ts';
import { ScimError } from './errors.ts';
import type { ScimType } from './errors.ts';
import type { JsonObject } from './json.ts';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const P = (...Operations: unknown[]): JsonObject => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });

function user(): JsonObject {
  return {
    schemas: [CORE, ENT],
    id: 'U-1',
    userName: 'alice@contoso.com',
    active: true,
    displayName: 'Alice',
    name: { givenName: 'Alice', familyName: 'Liddell' },
    emails: [{ value: 'alice@contoso.com', type: 'work', primary: true }],
    [ENT]: { department: 'Eng', manager: { value: 'M-1' } },
    meta: { resourceType: 'User', created: '2024-01-01T00:00:00Z' },
  };
}

const group = (): JsonObject => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], id: 'G-1', displayName: 'Engineering' });

function patched(ops: unknown[], base: JsonObject = user()): JsonObject {
  return applyPatch(base, P(...ops), USER).resource;
}

// Every user PATCH shape from reference/scim.md §1.4–1.5, in both Entra dialects and Okta's.
describe('Entra and Okta user PATCH shapes', () => {
  const CASES: Array<{ name: string; ops: unknown[]; expect: (r: JsonObject) => void }> = [
    {
      name: 'default: Replace emails[type eq "work"].value',
      ops: [{ op: 'Replace', path: 'emails[type eq "work"].value', value: 'a2@contoso.com' }],
      expect: (r) => assert.deepEqual(r['emails'], [{ value: 'a2@contoso.com', type: 'work', primary: true }]),
    },
    {
      name: 'default: Replace emails[type eq "work"].value creates the work email when missing',
      ops: [{ op: 'Remove', path: 'emails' }, { op: 'Replace', path: 'emails[type eq "work"].value', value: 'n@contoso.com' }],
      expect: (r) => assert.deepEqual(r['emails'], [{ type: 'work', value: 'n@contoso.com' }]),
    },
    {
      name: 'default: Replace name.familyName',
      ops: [{ op: 'Replace', path: 'name.familyName', value: 'Pleasance' }],
      expect: (r) => assert.deepEqual(r['name'], { givenName: 'Alice', familyName: 'Pleasance' }),
    },
    {
      name: 'default: Replace URN-qualified employeeNumber',
      ops: [{ op: 'Replace', path: `${ENT}:employeeNumber`, value: '701984' }],
      expect: (r) => assert.equal((r[ENT] as JsonObject)['employeeNumber'], '701984'),
    },
    {
      name: 'default: Add nickName to an empty single value',
      ops: [{ op: 'Add', path: 'nickName', value: 'Babs' }],
      expect: (r) => assert.equal(r['nickName'], 'Babs'),
    },
    {
      name: 'flag: path-less replace with dotted and URN keys',
      ops: [{ op: 'replace', value: { displayName: 'Al', 'name.givenName': 'Al', 'name.familyName': 'L', [`${ENT}:employeeNumber`]: '7' } }],
      expect: (r) => {
        assert.equal(r['displayName'], 'Al');
        assert.deepEqual(r['name'], { givenName: 'Al', familyName: 'L' });
        assert.equal((r[ENT] as JsonObject)['employeeNumber'], '7');
        assert.equal(r['name.givenName'], undefined);
      },
    },
    {
      name: 'flag: path-less add with dotted keys',
      ops: [{ op: 'add', value: { 'name.middleName': 'M', title: 'CTO' } }],
      expect: (r) => {
        assert.equal((r['name'] as JsonObject)['middleName'], 'M');
        assert.equal(r['title'], 'CTO');
      },
    },
    { name: 'default: disable with string "False"', ops: [{ op: 'Replace', path: 'active', value: 'False' }], expect: (r) => assert.equal(r['active'], false) },
    { name: 'flag: disable with boolean false', ops: [{ op: 'replace', path: 'active', value: false }], expect: (r) => assert.equal(r['active'], false) },
    { name: 'Okta: path-less replace {active:false}', ops: [{ op: 'replace', value: { active: false } }], expect: (r) => assert.equal(r['active'], false) },
    { name: 're-enable with "True"', ops: [{ op: 'Replace', path: 'active', value: 'True' }], expect: (r) => assert.equal(r['active'], true) },
    {
      name: 'manager set with a bare string id (Add)',
      ops: [{ op: 'Add', path: `${ENT}:manager`, value: 'M-2' }],
      expect: (r) => assert.deepEqual((r[ENT] as JsonObject)['manager'], { value: 'M-2' }),
    },
    {
      name: 'manager changed with {Value} (Replace)',
      ops: [{ op: 'Replace', path: `${ENT}:manager`, value: { Value: 'M-3' } }],
      expect: (r) => assert.deepEqual((r[ENT] as JsonObject)['manager'], { value: 'M-3' }),
    },
    {
      name: 'manager from old docs: path manager with a one-element array',
      ops: [{ op: 'Add', path: 'manager', value: [{ $ref: null, value: 'M-4' }] }],
      expect: (r) => assert.deepEqual((r[ENT] as JsonObject)['manager'], { value: 'M-4' }),
    },
    {
      name: 'manager removed by Replace with empty',
      ops: [{ op: 'Replace', path: `${ENT}:manager`, value: '' }],
      expect: (r) => assert.deepEqual(r[ENT], { department: 'Eng' }),
    },
    {
      name: 'manager removed by Remove',
      ops: [{ op: 'Remove', path: `${ENT}:manager` }],
      expect: (r) => assert.equal((r[ENT] as JsonObject)['manager'], undefined),
    },
    {
      name: 'null and empty values unassign (Microsoft validator test 16)',
      ops: [{ op: 'Replace', path: 'displayName', value: '' }, { op: 'Replace', path: 'name.givenName', value: null }],
      expect: (r) => {
        assert.equal('displayName' in r, false);
        assert.deepEqual(r['name'], { familyName: 'Liddell' });
      },
    },
    {
      name: 'Postman: op "Replace" userName',
      ops: [{ op: 'Replace', path: 'userName', value: 'ryan@contoso.com' }],
      expect: (r) => assert.equal(r['userName'], 'ryan@contoso.com'),
    },
    {
      name: 'whole-extension path-less add in RFC form',
      ops: [{ op: 'add', value: { [ENT]: { costCenter: 'CC1' } } }],
      expect: (r) => assert.deepEqual(r[ENT], { department: 'Eng', manager: { value: 'M-1' }, costCenter: 'CC1' }),
    },
    {
      name: 'removing the last extension attribute drops the extension from schemas',
      ops: [{ op: 'remove', path: `${ENT}:department` }, { op: 'remove', path: `${ENT}:manager` }],
      expect: (r) => {
        assert.equal(r[ENT], undefined);
        assert.deepEqual(r['schemas'], [CORE]);
      },
    },
    {
      name: 'adding a phone by filtered path',
      ops: [{ op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555' }],
      expect: (r) => assert.deepEqual(r['phoneNumbers'], [{ type: 'mobile', value: '+1 555' }]),
    },
    {
      name: 'add on a multi-valued attribute appends, a new primary demotes the old one',
      ops: [{ op: 'add', path: 'emails', value: [{ value: 'a@home', type: 'home', primary: true }] }],
      expect: (r) => assert.deepEqual(r['emails'], [{ value: 'alice@contoso.com', type: 'work' }, { value: 'a@home', type: 'home', primary: true }]),
    },
    {
      name: 'add of an identical email is idempotent',
      ops: [{ op: 'add', path: 'emails', value: [{ value: 'ALICE@contoso.com', type: 'work' }] }],
      expect: (r) => assert.equal((r['emails'] as unknown[]).length, 1),
    },
    {
      name: 'remove with a value filter removes the matching element; no match is a no-op',
      ops: [{ op: 'remove', path: 'emails[type eq "work"]' }, { op: 'remove', path: 'phoneNumbers[type eq "fax"]' }],
      expect: (r) => assert.equal(r['emails'], undefined),
    },
    {
      name: 'an echoed read-only id equal to the current one is a no-op',
      ops: [{ op: 'replace', value: { id: 'U-1', title: 'x' } }],
      expect: (r) => assert.equal(r['id'], 'U-1'),
    },
    {
      name: 'unknown keys in a path-less value are ignored',
      ops: [{ op: 'replace', value: { adreses: 'x', title: 'Dr' } }],
      expect: (r) => assert.equal(r['title'], 'Dr'),
    },
  ];
  for (const c of CASES) {
    test(c.name, () => {
      const input = user();
      const before = structuredClone(input);
      const result = applyPatch(input, P(...c.ops), USER);
      c.expect(result.resource);
      assert.deepEqual(input, before, 'input must not be mutated');
      assert.deepEqual(result.memberDelta, { add: [], remove: [] });
    });
  }
});

describe('PATCH errors are atomic', () => {
  const ERRORS: Array<[string, unknown, number, ScimType]> = [
    ['missing PatchOp schema', { schemas: [], Operations: [] }, 400, 'invalidSyntax'],
    ['Operations not an array', { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: {} }, 400, 'invalidSyntax'],
    ['unknown op', P({ op: 'move', path: 'title', value: 'x' }), 400, 'invalidSyntax'],
    ['id is readOnly', P({ op: 'replace', path: 'id', value: 'other' }), 400, 'mutability'],
    ['meta is readOnly', P({ op: 'replace', path: 'meta.created', value: '2020-01-01T00:00:00Z' }), 400, 'mutability'],
    ['groups is readOnly on a user', P({ op: 'add', path: 'groups', value: [{ value: 'G-1' }] }), 400, 'mutability'],
    ['unknown path', P({ op: 'replace', path: 'favouriteColour', value: 'x' }), 400, 'invalidPath'],
    ['unknown sub-attribute', P({ op: 'replace', path: 'name.nickname', value: 'x' }), 400, 'invalidPath'],
    ['malformed path', P({ op: 'replace', path: 'emails[type eq', value: 'x' }), 400, 'invalidPath'],
    ['remove without path', P({ op: 'remove' }), 400, 'noTarget'],
    ['replace with a non-creatable filter matching nothing', P({ op: 'replace', path: 'emails[value co "nobody"].type', value: 'home' }), 400, 'noTarget'],
    ['wrong type', P({ op: 'replace', path: 'active', value: 'maybe' }), 400, 'invalidValue'],
    ['required userName removed', P({ op: 'remove', path: 'userName' }), 400, 'invalidValue'],
  ];
  for (const [name, body, status, scimType] of ERRORS) {
    test(`${name} → ${status} ${scimType}`, () => {
      assert.throws(() => applyPatch(user(), body, USER), (e: unknown) => e instanceof ScimError && e.status === status && e.scimType === scimType);
    });
  }

  test('a bad operation after good ones leaves the input untouched', () => {
    const input = user();
    const before = structuredClone(input);
    assert.throws(() => applyPatch(input, P({ op: 'replace', path: 'title', value: 'x' }, { op: 'replace', path: 'id', value: 'y' }), USER), /Operations\[1\]/);
    assert.deepEqual(input, before);
  });
});

describe('group PATCH returns a member delta', () => {
  const delta = (...ops: unknown[]) => applyPatch(group(), P(...ops), GROUP).memberDelta;

  test('Entra add members (several in one PATCH), idempotent for repeats', () => {
    assert.deepEqual(delta({ op: 'Add', path: 'members', value: [{ $ref: null, value: 'u1' }, { value: 'u2' }, { value: 'u1' }] }), {
      add: [{ value: 'u1' }, { value: 'u2' }], remove: [],
    });
  });
  test('Entra remove without flag: value list removes exactly those members', () => {
    assert.deepEqual(delta({ op: 'Remove', path: 'members', value: [{ $ref: null, value: 'u2' }] }), { add: [], remove: ['u2'] });
  });
  test('Entra remove with flag: members[value eq "id"]', () => {
    assert.deepEqual(delta({ op: 'remove', path: 'members[value eq "u3"]' }), { add: [], remove: ['u3'] });
  });
  test('remove path members without value removes all', () => {
    assert.deepEqual(delta({ op: 'remove', path: 'members' }), { add: [], remove: [], removeAll: true });
  });
  test('replace members sets the exact list and later ops edit it', () => {
    assert.deepEqual(delta({ op: 'replace', path: 'members', value: [{ value: 'a' }, { value: 'b' }] }, { op: 'remove', path: 'members[value eq "a"]' }, { op: 'add', path: 'members', value: [{ value: 'c' }] }), {
      add: [], remove: [], replaceAll: [{ value: 'b' }, { value: 'c' }],
    });
  });
  test('add then remove of the same id cancels the add', () => {
    assert.deepEqual(delta({ op: 'add', path: 'members', value: [{ value: 'a' }] }, { op: 'remove', path: 'members[value eq "a"]' }), { add: [], remove: ['a'] });
  });
  test('Postman: a bare string member value is accepted', () => {
    assert.deepEqual(delta({ op: 'Add', path: 'members', value: 'string id 1' }), { add: [{ value: 'string id 1' }], remove: [] });
  });
  test('Postman: add members with displayName ignores the unknown key', () => {
    assert.deepEqual(delta({ op: 'add', path: 'members', value: [{ displayName: 'Bob', value: 'u9' }] }), { add: [{ value: 'u9' }], remove: [] });
  });
  test('rename and path-less replace with members in one PATCH', () => {
    const r = applyPatch(group(), P({ op: 'Replace', path: 'displayName', value: 'Eng2' }, { op: 'replace', value: { members: [{ value: 'x' }] } }), GROUP);
    assert.equal(r.resource['displayName'], 'Eng2');
    assert.deepEqual(r.memberDelta, { add: [], remove: [], replaceAll: [{ value: 'x' }] });
    assert.equal('members' in r.resource, false);
  });
  test('member filters that need the member list are rejected, not guessed', () => {
    assert.throws(() => delta({ op: 'remove', path: 'members[display eq "Bob"]' }), (e: unknown) => e instanceof ScimError && e.scimType === 'invalidPath');
    assert.throws(() => delta({ op: 'add', path: 'members', value: [{ display: 'no value' }] }), (e: unknown) => e instanceof ScimError && e.scimType === 'invalidValue');
  });
  test('displayName is required on a group', () => {
    assert.throws(() => delta({ op: 'replace', path: 'displayName', value: '' }), (e: unknown) => e instanceof ScimError && e.scimType === 'invalidValue');
  });
  test('the MS group schema URI never leaks into the result', () => {
    const r = applyPatch({ ...group(), schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'] }, P({ op: 'replace', path: 'externalId', value: 'e' }), GROUP);
    assert.deepEqual(r.resource['schemas'], ['urn:ietf:params:scim:schemas:core:2.0:Group']);
  });
});
