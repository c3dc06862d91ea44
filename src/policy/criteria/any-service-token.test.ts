import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anyServiceToken } from './any-service-token.ts';
import { compileCriterion, facts } from '../testing.ts';

test('anyServiceToken ignores a malformed token fact', () => {
  const c = compileCriterion(anyServiceToken, true);
  assert.equal(c.match(facts({ serviceToken: {} as { name: string } })), false);
  assert.equal(c.match(facts({ serviceToken: { name: 'ci-bot' } })), true);
});
