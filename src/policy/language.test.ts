import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipListSchema, policySchema, ruleGroupSchema, ruleSchema } from './language.ts';

test('a rule takes exactly one selector', () => {
  assert.ok(ruleSchema.safeParse({ group: 'Finance' }).success);
  assert.ok(ruleSchema.safeParse({ claim: { name: 'department', value: 'Finance' } }).success);
  const two = ruleSchema.safeParse({ group: 'a', email: 'b@c.d' });
  assert.ok(!two.success && /exactly one selector, found email, group/.test(two.error.issues[0]!.message));
  assert.ok(!ruleSchema.safeParse({}).success);
});

test('unknown keys are errors in rules, policies, rule groups and IP lists', () => {
  assert.ok(!ruleSchema.safeParse({ groups: 'a' }).success);
  assert.ok(!policySchema.safeParse({ name: 'p', action: 'allow', include: [{ everyone: true }], precedence: 1 }).success);
  assert.ok(!ruleGroupSchema.safeParse({ name: 'g', include: [{ everyone: true }], extra: 1 }).success);
  assert.ok(!ipListSchema.safeParse({ name: 'l', ranges: ['1.2.3.4'], comment: 'x' }).success);
});

test('selector values are typed: everyone is true, riskLevel is an enum, lists are non-empty', () => {
  assert.ok(!ruleSchema.safeParse({ everyone: false }).success);
  assert.ok(!ruleSchema.safeParse({ riskLevel: 'severe' }).success);
  assert.ok(ruleSchema.safeParse({ riskLevel: ['medium', 'high'] }).success);
  assert.ok(!ruleSchema.safeParse({ email: [] }).success);
  assert.ok(!ruleSchema.safeParse({ country: '' }).success);
});

test('a policy needs an action from the Access set and at least one include rule', () => {
  const ok = policySchema.parse({ name: 'finance-mfa', action: 'allow', sessionDuration: '1h', include: [{ group: 'Finance' }], require: [{ authMethod: 'mfa' }] });
  assert.deepEqual(ok.require, [{ authMethod: 'mfa' }]);
  assert.ok(!policySchema.safeParse({ name: 'p', action: 'isolate', include: [{ everyone: true }] }).success);
  const noInclude = policySchema.safeParse({ name: 'p', action: 'allow', include: [] });
  assert.ok(!noInclude.success && noInclude.error.issues[0]!.path.join('.') === 'include');
});
