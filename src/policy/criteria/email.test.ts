import { test } from 'node:test';
import assert from 'node:assert/strict';
import { email } from './email.ts';
import { compileCriterion, facts, identity } from '../testing.ts';

test('email matches case-insensitively, either side', () => {
  const c = compileCriterion(email, ['Bob@Contoso.com', 'alice@contoso.com']);
  assert.equal(c.match(facts({ identity: identity({ email: 'BOB@contoso.COM' }) })), true);
  assert.equal(c.match(facts({ identity: identity({ email: 'carol@contoso.com' }) })), false);
});
test('email without identity does not match', () => {
  assert.equal(compileCriterion(email, 'bob@contoso.com').match(facts({ identity: undefined })), false);
});
test('email list under require needs every address, so two addresses never match', () => {
  const c = compileCriterion(email, ['bob@contoso.com', 'alice@contoso.com']);
  assert.equal(c.match(facts(), true), false);
  assert.equal(compileCriterion(email, ['bob@contoso.com']).match(facts(), true), true);
});
test('email rejects a value that is not an address', () => {
  assert.equal(compileCriterion(email, 'bob').errors.length, 1);
});
