import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loginMethod } from './login-method.ts';
import { compileCriterion, facts, identity } from '../testing.ts';

test('loginMethod matches the identity provider id used to sign in', () => {
  const c = compileCriterion(loginMethod, 'github');
  assert.equal(c.match(facts({ identity: identity({ idp: 'github' }) })), true);
  assert.equal(c.match(facts({ identity: identity({ idp: 'entra' }) })), false);
});
test('loginMethod reports each unknown provider with its path', () => {
  const c = compileCriterion(loginMethod, ['entra', 'okta', 'google']);
  assert.deepEqual(c.errors.map((e) => e.path), ['r[1]', 'r[2]']);
  assert.match(c.errors[0]!.message, /unknown login method.*"okta".*known: entra, github/);
});
