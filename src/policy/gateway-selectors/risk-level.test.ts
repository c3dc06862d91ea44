import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gwFacts, leaf } from '../gateway-testing.ts';

test('riskLevel: the live level from the directory', () => {
  const l = leaf('riskLevel', { in: ['medium', 'high'] });
  assert.equal(l.test(gwFacts({ directory: { groups: [], active: true, riskLevel: 'high' } })), true);
  assert.equal(l.test(gwFacts()), false);
});
test('riskLevel: unknown matches nothing, an unknown level is a config error', () => {
  assert.equal(leaf('riskLevel', { isNot: 'high' }).test(gwFacts({ directory: { groups: [], active: true } })), false);
  assert.match(leaf('riskLevel', { is: 'severe' }).errors[0]!, /unknown riskLevel "severe"/);
});
