import { test } from 'node:test';
import assert from 'node:assert/strict';
import { directoryGroup } from './directory-group.ts';
import { compileCriterion, facts, identity } from '../testing.ts';

test('directoryGroup reads live directory groups, not the frozen identity', () => {
  const c = compileCriterion(directoryGroup, 'Sales');
  const frozen = identity({ groupNames: ['Sales'] });
  assert.equal(c.match(facts({ identity: frozen, directory: { groups: ['SALES'], active: true } })), true);
  assert.equal(c.match(facts({ identity: frozen, directory: { groups: [], active: true } })), false);
  assert.equal(c.match(facts({ identity: frozen })), false);
});
test('directoryGroup list under require needs every group', () => {
  const c = compileCriterion(directoryGroup, ['Sales', 'EMEA']);
  assert.equal(c.match(facts({ directory: { groups: ['sales'], active: true } }), true), false);
  assert.equal(c.match(facts({ directory: { groups: ['sales', 'emea'], active: true } }), true), true);
});
