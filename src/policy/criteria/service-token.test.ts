import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceToken } from './service-token.ts';
import { compileCriterion, facts } from '../testing.ts';

test('serviceToken matches the named token only', () => {
  const c = compileCriterion(serviceToken, 'ci-bot');
  assert.equal(c.match(facts({ serviceToken: { name: 'ci-bot' } })), true);
  assert.equal(c.match(facts({ serviceToken: { name: 'deploy' } })), false);
  assert.equal(c.match(facts()), false);
});
test('serviceToken reports unknown token names', () => {
  assert.match(compileCriterion(serviceToken, 'ci-bott').errors[0]!.message, /unknown service token "ci-bott"/);
});
