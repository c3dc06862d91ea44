import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gwFacts, leaf } from '../gateway-testing.ts';

const risky = 'IdentityProtection-RiskyUser-RiskLevel-high';

test('userGroupNames: live directory groups (risk groups) and sign-in group names both count', () => {
  const l = leaf('userGroupNames', { in: [risky] });
  assert.equal(l.test(gwFacts({ directory: { groups: [risky], active: true } })), true);
  assert.equal(l.test(gwFacts()), false);
  assert.equal(leaf('userGroupNames', { is: 'staff' }).test(gwFacts()), true);
});
test('userGroupNames: notIn means none of the user\'s groups is listed', () => {
  const l = leaf('userGroupNames', { notIn: [risky] });
  assert.equal(l.test(gwFacts()), true);
  assert.equal(l.test(gwFacts({ directory: { groups: ['x', risky], active: true } })), false);
});
