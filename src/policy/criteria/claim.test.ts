import { test } from 'node:test';
import assert from 'node:assert/strict';
import { claim } from './claim.ts';
import { compileCriterion, facts, identity } from '../testing.ts';

const withClaims = (claims: Record<string, unknown>) => facts({ identity: identity({ claims }) });

test('claim matches a string, number or boolean scalar', () => {
  assert.equal(compileCriterion(claim, { name: 'department', value: 'Finance' }).match(withClaims({ department: 'Finance' })), true);
  assert.equal(compileCriterion(claim, { name: 'department', value: 'Finance' }).match(withClaims({ department: 'finance' })), false);
  assert.equal(compileCriterion(claim, { name: 'level', value: 5 }).match(withClaims({ level: 5 })), true);
  assert.equal(compileCriterion(claim, { name: 'level', value: 5 }).match(withClaims({ level: '5' })), true);
  assert.equal(compileCriterion(claim, { name: 'contractor', value: false }).match(withClaims({ contractor: false })), true);
});
test('claim matches when an array claim contains the value', () => {
  const c = compileCriterion(claim, { name: 'roles', value: 'admin' });
  assert.equal(c.match(withClaims({ roles: ['reader', 'admin'] })), true);
  assert.equal(c.match(withClaims({ roles: ['reader'] })), false);
});
test('claim ignores absent, object and inherited claims', () => {
  const c = compileCriterion(claim, { name: 'toString', value: 'x' });
  assert.equal(c.match(withClaims({})), false);
  assert.equal(compileCriterion(claim, { name: 'a', value: '[object Object]' }).match(withClaims({ a: {} })), false);
});
test('claim list under require needs every claim', () => {
  const c = compileCriterion(claim, [{ name: 'a', value: '1' }, { name: 'b', value: '2' }]);
  assert.equal(c.match(withClaims({ a: '1' }), true), false);
  assert.equal(c.match(withClaims({ a: '1', b: 2 }), true), true);
  assert.equal(c.match(withClaims({ a: '1' }), false), true);
});
