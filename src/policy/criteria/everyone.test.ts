import { test } from 'node:test';
import assert from 'node:assert/strict';
import { everyone } from './everyone.ts';
import { compileCriterion, facts } from '../testing.ts';

test('everyone matches with and without an identity', () => {
  const c = compileCriterion(everyone, true);
  assert.equal(c.match(facts()), true);
  assert.equal(c.match(facts({ identity: undefined })), true);
  assert.equal(everyone.identity, false);
});
