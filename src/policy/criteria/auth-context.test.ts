import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authContext } from './auth-context.ts';
import { compileCriterion, facts, identity } from '../testing.ts';

test('authContext matches contexts in the acrs claim', () => {
  const c = compileCriterion(authContext, 'c1');
  assert.equal(c.match(facts({ identity: identity({ acrs: ['c1', 'c3'] }) })), true);
  assert.equal(c.match(facts({ identity: identity({ acrs: ['c2'] }) })), false);
  assert.equal(c.match(facts({ identity: undefined })), false);
});
test('authContext list under require needs every context', () => {
  const c = compileCriterion(authContext, ['c1', 'c2']);
  assert.equal(c.match(facts({ identity: identity({ acrs: ['c1'] }) }), true), false);
  assert.equal(c.match(facts({ identity: identity({ acrs: ['c2', 'c1'] }) }), true), true);
});
test('authContext warns on ids outside Entra c1-c99', () => {
  assert.equal(compileCriterion(authContext, 'c99').warnings.length, 0);
  assert.equal(compileCriterion(authContext, 'c100').warnings.length, 1);
});
