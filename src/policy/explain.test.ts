import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explain, formatExplanation } from './explain.ts';
import { compileOk, facts, identity } from './testing.ts';

const set = compileOk([
  { name: 'health', action: 'bypass', include: [{ ipRange: '127.0.0.1' }] },
  { name: 'finance', action: 'allow', sessionDuration: '1h', include: [{ ruleGroup: 'fin' }], require: [{ authMethod: 'mfa' }] },
  { name: 'payroll', action: 'allow', include: [{ group: 'payroll' }], require: [{ authContext: 'c1' }] },
  { name: 'rest', action: 'block', include: [{ everyone: true }] },
], { ruleGroups: [{ name: 'fin', include: [{ group: 'Finance' }] }] });

test('explain traces every policy and rule in evaluation order, marking the decider and what was not reached', () => {
  const t = explain(set, facts({ identity: identity({ groupNames: ['Finance'], amr: ['mfa'] }) }));
  assert.equal(t.decision.action, 'allow');
  assert.deepEqual(t.policies.map((p) => [p.name, p.phase, p.matched, p.decided, p.reached]), [
    ['health', 0, false, false, true],
    ['finance', 1, true, true, true],
    ['payroll', 1, false, false, false],
    ['rest', 1, true, false, false],
  ]);
  const fin = t.policies[1]!;
  assert.deepEqual(fin.rules.map((r) => [r.section, r.source, r.matched, r.reason.code]), [
    ['include', 'ruleGroup: fin', true, 'rule_group.match'],
    ['require', 'authMethod: mfa', true, 'auth_method.match'],
  ]);
  assert.equal(fin.rules[0]!.groups![0]!.rules[0]!.reason.detail, 'Finance');
});

test('explain marks identity phases unreached when sign-in is needed', () => {
  const t = explain(set, facts({ identity: undefined }));
  assert.equal(t.decision.action, 'authenticate');
  assert.ok(t.policies.filter((p) => p.phase === 1).every((p) => !p.reached));
});

test('formatExplanation prints the decision, phases, policies and rule reasons', () => {
  const lines = formatExplanation(explain(set, facts({ identity: identity({ groupNames: ['payroll'] }) })));
  assert.equal(lines[0], 'decision: deny');
  assert.ok(lines.includes('  step-up: sign in again with authentication context c1'));
  assert.ok(lines.includes('phase 1 (service_auth, bypass):'));
  assert.ok(lines.includes('  #2 allow "payroll": no match (would match with c1)'));
  assert.ok(lines.some((l) => /require {2}no {3}authContext: c1 {2}\(auth_context\.no_match: acrs \(none\)\)/.test(l)), lines.join('\n'));
});

test('formatExplanation shows the deciding policy and session length', () => {
  const lines = formatExplanation(explain(set, facts({ identity: identity({ groupNames: ['finance'], amr: ['mfa'] }) })));
  assert.equal(lines[0], 'decision: allow by policy #1 "finance"; session 1h');
  assert.ok(lines.includes('  #1 allow "finance": MATCH, decided'));
  assert.ok(lines.includes('  #3 block "rest": would match, not reached'));
});
