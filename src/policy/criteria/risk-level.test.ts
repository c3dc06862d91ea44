import { test } from 'node:test';
import assert from 'node:assert/strict';
import { riskLevel } from './risk-level.ts';
import { compileCriterion, facts } from '../testing.ts';

test('riskLevel matches the live directory risk level', () => {
  const c = compileCriterion(riskLevel, ['medium', 'high']);
  assert.equal(c.match(facts({ directory: { groups: [], riskLevel: 'high', active: true } })), true);
  assert.equal(c.match(facts({ directory: { groups: [], riskLevel: 'low', active: true } })), false);
});
test('riskLevel: an unknown level matches nothing, not even none', () => {
  const c = compileCriterion(riskLevel, 'none');
  assert.equal(c.match(facts({ directory: { groups: [], active: true } })), false);
  assert.equal(c.match(facts()), false);
});
