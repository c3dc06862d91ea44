import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emailDomain } from './email-domain.ts';
import { compileCriterion, facts, identity } from '../testing.ts';

const withEmail = (e: string) => facts({ identity: identity({ email: e }) });

test('emailDomain matches the exact domain after the last @, case-insensitively', () => {
  const c = compileCriterion(emailDomain, 'Contoso.com');
  assert.equal(c.match(withEmail('bob@CONTOSO.com')), true);
  assert.equal(c.match(withEmail('bob@eu.contoso.com')), false);
  assert.equal(c.match(withEmail('bob@contoso.com.evil.net')), false);
  assert.equal(c.match(withEmail('"a@contoso.com"@evil.net')), false);
});
test('emailDomain accepts a leading @ and rejects non-domains', () => {
  assert.equal(compileCriterion(emailDomain, '@contoso.com').match(withEmail('x@contoso.com')), true);
  assert.equal(compileCriterion(emailDomain, 'contoso').errors.length, 1);
});
test('emailDomain does not match an address without @ or without identity', () => {
  const c = compileCriterion(emailDomain, 'contoso.com');
  assert.equal(c.match(withEmail('contoso.com')), false);
  assert.equal(c.match(facts({ identity: undefined })), false);
});
