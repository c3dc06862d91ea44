import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ruleGroup } from './rule-group.ts';
import { compileLibrary } from '../compile-library.ts';
import { compileCriterion, facts, identity, names } from '../testing.ts';

const lib = compileLibrary({
  ruleGroups: [
    { name: 'finance', include: [{ group: 'Finance' }], exclude: [{ email: 'mallory@contoso.com' }] },
    { name: 'us-or-pt', include: [{ country: ['US', 'PT'] }] },
  ],
}, names);
if (!lib.ok) throw new Error('library failed');
const env = { ruleGroups: lib.value.ruleGroups };

test('ruleGroup matches when the group include/require/exclude matches', () => {
  const c = compileCriterion(ruleGroup, 'finance', env);
  assert.equal(c.match(facts({ identity: identity({ groupNames: ['finance'] }) })), true);
  assert.equal(c.match(facts({ identity: identity({ groupNames: ['finance'], email: 'mallory@contoso.com' }) })), false);
  assert.equal(c.match(facts()), false);
});
test('ruleGroup is the workaround for require-OR: the group include is any-of', () => {
  const c = compileCriterion(ruleGroup, 'us-or-pt', env);
  assert.equal(c.match(facts(), true), true);
});
test('ruleGroup list under require needs every group', () => {
  const c = compileCriterion(ruleGroup, ['finance', 'us-or-pt'], env);
  assert.equal(c.match(facts(), true), false);
  assert.equal(c.match(facts({ identity: identity({ groupNames: ['Finance'] }) }), true), true);
});
test('ruleGroup reports an unknown name', () => {
  assert.match(compileCriterion(ruleGroup, 'finanse', env).errors[0]!.message, /unknown rule group "finanse"; known: finance, us-or-pt/);
});
