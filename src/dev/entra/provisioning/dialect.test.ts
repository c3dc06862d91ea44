// The exact PatchOp bodies of Entra's two dialects (reference/scim.md §1.4, §1.5, §1.8, §1.10).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memberAddPatch, memberRemovePatch, groupRenamePatch, userPatch, PATCH_OP_SCHEMA } from './dialect.ts';
import type { UserChange } from './mapping.ts';

const changes: UserChange[] = [
  { attr: 'displayName', from: 'Alice A', to: 'Alice Adams' },
  { attr: 'email', from: 'a@contoso.com', to: 'alice@contoso.com' },
  { attr: 'givenName', from: null, to: 'Alice' },
  { attr: 'familyName', from: 'Adams', to: 'Adams-Smith' },
  { attr: 'active', from: true, to: false },
];

test('default dialect: one capitalised op per attribute with a path, Add for a first value, active as the string "False"', () => {
  assert.deepEqual(userPatch('entra-legacy', changes), {
    schemas: [PATCH_OP_SCHEMA],
    Operations: [
      { op: 'Replace', path: 'displayName', value: 'Alice Adams' },
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'alice@contoso.com' },
      { op: 'Add', path: 'name.givenName', value: 'Alice' },
      { op: 'Replace', path: 'name.familyName', value: 'Adams-Smith' },
      { op: 'Replace', path: 'active', value: 'False' },
    ],
  });
});

test('aadOptscim062020: one path-less replace with dotted keys, email and first values separate, active boolean', () => {
  assert.deepEqual(userPatch('aadOptscim062020', changes).Operations, [
    { op: 'replace', value: { displayName: 'Alice Adams', 'name.familyName': 'Adams-Smith' } },
    { op: 'replace', path: 'emails[type eq "work"].value', value: 'alice@contoso.com' },
    { op: 'add', path: 'name.givenName', value: 'Alice' },
    { op: 'replace', path: 'active', value: false },
  ]);
});

test('a cleared value is removed by path in both dialects', () => {
  const cleared: UserChange[] = [{ attr: 'email', from: 'a@contoso.com', to: null }];
  assert.deepEqual(userPatch('entra-legacy', cleared).Operations, [{ op: 'Remove', path: 'emails[type eq "work"].value' }]);
  assert.deepEqual(userPatch('aadOptscim062020', cleared).Operations, [{ op: 'remove', path: 'emails[type eq "work"].value' }]);
});

test('member removal: value list in the default dialect, a filtered path per member with the flag', () => {
  assert.deepEqual(memberRemovePatch('entra-legacy', ['u1', 'u2']).Operations, [
    { op: 'Remove', path: 'members', value: [{ $ref: null, value: 'u1' }, { $ref: null, value: 'u2' }] },
  ]);
  assert.deepEqual(memberRemovePatch('aadOptscim062020', ['u1', 'we"ird']).Operations, [
    { op: 'remove', path: 'members[value eq "u1"]' },
    { op: 'remove', path: 'members[value eq "we\\"ird"]' },
  ]);
});

test('member add carries several members in one op; rename replaces displayName', () => {
  assert.deepEqual(memberAddPatch('entra-legacy', ['u1', 'u2']).Operations, [
    { op: 'Add', path: 'members', value: [{ $ref: null, value: 'u1' }, { $ref: null, value: 'u2' }] },
  ]);
  assert.deepEqual(memberAddPatch('aadOptscim062020', ['u1']).Operations, [{ op: 'add', path: 'members', value: [{ $ref: null, value: 'u1' }] }]);
  assert.deepEqual(groupRenamePatch('entra-legacy', 'Fin').Operations, [{ op: 'Replace', path: 'displayName', value: 'Fin' }]);
});
