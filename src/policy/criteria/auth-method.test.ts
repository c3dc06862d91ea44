import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authMethod } from './auth-method.ts';
import { compileCriterion, facts, identity } from '../testing.ts';

const amr = (...v: string[]) => facts({ identity: identity({ amr: v }) });

test('authMethod in include needs any listed amr value', () => {
  const c = compileCriterion(authMethod, ['mfa', 'hwk']);
  assert.equal(c.match(amr('pwd', 'mfa')), true);
  assert.equal(c.match(amr('pwd')), false);
});
test('authMethod list under require needs every value (Cloudflare require-AND)', () => {
  const c = compileCriterion(authMethod, ['mfa', 'hwk']);
  assert.equal(c.match(amr('pwd', 'mfa'), true), false);
  assert.equal(c.match(amr('mfa', 'hwk'), true), true);
});
test('authMethod warns on values RFC 8176 does not register', () => {
  assert.equal(compileCriterion(authMethod, 'mfa').warnings.length, 0);
  assert.equal(compileCriterion(authMethod, 'MFA').warnings.length, 1);
});
