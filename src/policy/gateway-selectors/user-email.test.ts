import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gwFacts, leaf } from '../gateway-testing.ts';

test('userEmail: the signed-in user, case-insensitively', () => {
  assert.equal(leaf('userEmail', { is: 'BOB@contoso.com' }).test(gwFacts()), true);
  assert.equal(leaf('userEmail', { matches: '@contoso\\.com$' }).test(gwFacts()), true);
});
test('userEmail: anonymous traffic matches neither is nor isNot', () => {
  assert.equal(leaf('userEmail', { isNot: 'eve@contoso.com' }).test(gwFacts({ identity: undefined })), false);
});
