import { test } from 'node:test';
import assert from 'node:assert/strict';
import { group } from './group.ts';
import { compileCriterion, facts, identity } from '../testing.ts';

const gid = '6f1a3c2e-0000-4000-8000-00000000abcd';
const f = facts({ identity: identity({ groups: [gid.toUpperCase()], groupNames: ['Finance', 'Staff'] }) });

test('group matches an object id (any case) or a display name (case-insensitive)', () => {
  assert.equal(compileCriterion(group, gid).match(f), true);
  assert.equal(compileCriterion(group, 'finance').match(f), true);
  assert.equal(compileCriterion(group, ['Sales', 'HR']).match(f), false);
  assert.equal(compileCriterion(group, ['Sales', 'Staff']).match(f), true);
});
test('group under require needs every value, satisfied across ids and names', () => {
  assert.equal(compileCriterion(group, [gid, 'staff']).match(f, true), true);
  assert.equal(compileCriterion(group, ['finance', 'sales']).match(f, true), false);
});
test('group tolerates malformed identity facts', () => {
  const odd = facts({ identity: identity({ groups: [42 as unknown as string], groupNames: null as unknown as string[] }) });
  assert.equal(compileCriterion(group, 'finance').match(odd), false);
  assert.equal(compileCriterion(group, 'finance').match(facts({ identity: undefined })), false);
});
