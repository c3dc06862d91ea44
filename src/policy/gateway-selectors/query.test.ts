import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gwFacts, leaf } from '../gateway-testing.ts';

test('query: compares the query without its ?', () => {
  assert.equal(leaf('query', { is: 'x=1' }).test(gwFacts()), true);
  assert.equal(leaf('query', { matches: '(^|&)download=' }).test(gwFacts()), false);
});
