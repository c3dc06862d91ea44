import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gwFacts, leaf } from '../gateway-testing.ts';

test('path: exact and regex', () => {
  assert.equal(leaf('path', { in: ['/docs/a', '/b'] }).test(gwFacts()), true);
  assert.equal(leaf('path', { matches: '^/admin(/|$)' }).test(gwFacts({ request: { path: '/admin/users' } })), true);
  assert.equal(leaf('path', { matches: '^/admin(/|$)' }).test(gwFacts()), false);
});
