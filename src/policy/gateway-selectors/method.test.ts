import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gwFacts, leaf } from '../gateway-testing.ts';

test('method: case-insensitive set', () => {
  assert.equal(leaf('method', { in: ['post', 'PUT'] }).test(gwFacts({ request: { method: 'POST' } })), true);
  assert.equal(leaf('method', { notIn: ['GET', 'HEAD'] }).test(gwFacts()), false);
});
