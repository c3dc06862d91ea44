import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { PolicyInput, RuleGroupInput } from './language.ts';
import { compilePolicies } from './compile.ts';
import { compileLibrary } from './compile-library.ts';
import { names } from './testing.ts';

function lib(ruleGroups: RuleGroupInput[] = []) {
  const r = compileLibrary({ ruleGroups, ipLists: [{ name: 'office', ranges: ['198.51.100.0/24'] }] }, names);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  return r.value;
}
const base = { basePath: 'apps[2].policies' };

describe('compilePolicies errors', () => {
  test('reports every problem at once, each with its full path', () => {
    const r = compilePolicies([
      { name: 'a', action: 'allow', sessionDuration: '1 hour', include: [{ group: 'Finance' }, { ipList: 'ofice' }] },
      { name: 'b', action: 'block', include: [{ ipRange: '10.0.0.0/33' }], require: [{ country: 'XY' }], exclude: [{ serviceToken: 'nope' }, { ruleGroup: 'missing' }, { loginMethod: 'okta' }] },
    ], { ...base, library: lib() });
    assert.equal(r.ok, false);
    assert.deepEqual(!r.ok && r.errors.map((e) => e.path), [
      'apps[2].policies[0].sessionDuration',
      'apps[2].policies[0].include[1].ipList',
      'apps[2].policies[1].include[0].ipRange',
      'apps[2].policies[1].require[0].country',
      'apps[2].policies[1].exclude[0].serviceToken',
      'apps[2].policies[1].exclude[1].ruleGroup',
      'apps[2].policies[1].exclude[2].loginMethod',
    ]);
  });
  test('a failed compile still returns the partial set, for tooling, aligned with the input', () => {
    const r = compilePolicies([{ name: 'a', action: 'allow', include: [{ ipRange: 'bad' }] }, { name: 'b', action: 'block', include: [{ everyone: true }] }], base);
    assert.ok(!r.ok);
    assert.deepEqual(r.partial?.policies.map((p) => p.name), ['a', 'b']);
  });
  test('duplicate policy names are an error', () => {
    const r = compilePolicies([{ name: 'a', action: 'allow', include: [{ group: 'x' }] }, { name: 'a', action: 'block', include: [{ group: 'y' }] }], base);
    assert.ok(!r.ok && r.errors[0]!.path === 'apps[2].policies[1].name');
  });
  test('bypass policies cannot use identity selectors, directly or through a rule group', () => {
    const r = compilePolicies([
      { name: 'p', action: 'bypass', include: [{ everyone: true }, { emailDomain: 'contoso.com' }], exclude: [{ ruleGroup: 'staff' }, { ipRange: '10.0.0.0/8' }] },
    ], { ...base, library: lib([{ name: 'staff', include: [{ group: 'Staff' }] }]) });
    assert.ok(!r.ok);
    assert.deepEqual(r.errors.map((e) => e.path), ['apps[2].policies[0].include[1].emailDomain', 'apps[2].policies[0].exclude[0].ruleGroup']);
    assert.match(r.errors[1]!.message, /rule group "staff" uses group/);
  });
  test('service_auth policies may only use token and network selectors', () => {
    const ok = compilePolicies([{ name: 's', action: 'service_auth', include: [{ serviceToken: 'ci-bot' }, { anyServiceToken: true }], require: [{ ipList: 'office' }, { country: 'US' }] }], { ...base, library: lib() });
    assert.ok(ok.ok);
    const bad = compilePolicies([{ name: 's', action: 'service_auth', include: [{ serviceToken: 'ci-bot' }], require: [{ authMethod: 'mfa' }] }], { ...base, library: lib() });
    assert.ok(!bad.ok && bad.errors[0]!.path === 'apps[2].policies[0].require[0].authMethod');
  });
  test('a policy needs at least one include rule', () => {
    const r = compilePolicies([{ name: 'p', action: 'allow', include: [] }], base);
    assert.ok(!r.ok && r.errors[0]!.path === 'apps[2].policies[0].include');
  });
});

describe('compileLibrary', () => {
  test('reports rule group cycles on every group in the cycle', () => {
    const r = compileLibrary({ ruleGroups: [
      { name: 'a', include: [{ ruleGroup: 'b' }] },
      { name: 'b', include: [{ group: 'x' }], require: [{ ruleGroup: 'a' }] },
      { name: 'self', include: [{ ruleGroup: 'self' }] },
      { name: 'fine', include: [{ group: 'x' }] },
    ] }, names);
    assert.ok(!r.ok);
    assert.deepEqual(r.errors.map((e) => `${e.path}: ${e.message}`), [
      'ruleGroups[0]: rule group "a" refers to itself: a → b → a',
      'ruleGroups[1]: rule group "b" refers to itself: b → a → b',
      'ruleGroups[2]: rule group "self" refers to itself: self → self',
    ]);
    assert.ok(r.partial?.ruleGroups.has('fine'));
    assert.ok(r.partial?.invalidRuleGroups.has('a'));
  });
  test('resolves nested groups once and shares them by reference', () => {
    const r = compileLibrary({ ruleGroups: [{ name: 'outer', include: [{ ruleGroup: 'inner' }] }, { name: 'inner', include: [{ email: 'a@b.co' }] }] }, names);
    assert.ok(r.ok);
    const outer = r.value.ruleGroups.get('outer')!;
    assert.equal(outer.rules.include[0]!.groups![0], r.value.ruleGroups.get('inner'));
    assert.ok(outer.kinds.has('email'));
  });
  test('bad ranges and duplicate names in IP lists are reported', () => {
    const r = compileLibrary({ ipLists: [{ name: 'x', ranges: ['1.2.3.0/24', 'bogus'] }, { name: 'x', ranges: ['::1'] }] }, names);
    assert.ok(!r.ok);
    assert.deepEqual(r.errors.map((e) => e.path), ['ipLists[0].ranges[1]', 'ipLists[1].name']);
  });
  test('policies referring to an invalid group get one quiet error, not "unknown"', () => {
    const l = compileLibrary({ ruleGroups: [{ name: 'a', include: [{ ruleGroup: 'a' }] }] }, names);
    assert.ok(!l.ok && l.partial);
    const r = compilePolicies([{ name: 'p', action: 'allow', include: [{ ruleGroup: 'a' }] }], { library: l.partial });
    assert.ok(!r.ok && /is invalid/.test(r.errors[0]!.message));
  });
});

describe('compilePolicies canonical form and warnings', () => {
  test('precomputes phases, lower-cases emails and parses durations', () => {
    const policies: PolicyInput[] = [
      { name: 'a', action: 'allow', sessionDuration: '8h', include: [{ email: 'Bob@Contoso.com' }] },
      { name: 'c', action: 'service_auth', include: [{ serviceToken: 'ci-bot' }] },
    ];
    const r = compilePolicies(policies, { ...base, library: lib() });
    assert.ok(r.ok);
    assert.deepEqual(r.value.policies.map((p) => [p.name, p.phase]), [['a', 1], ['c', 0]]);
    assert.deepEqual(r.value.byPhase.map((ph) => ph.map((p) => p.name)), [['c'], ['a']]);
    assert.equal(r.value.policies[0]!.sessionDurationMs, 8 * 3_600_000);
    assert.deepEqual(r.value.policies[0]!.rules.include[0]!.values, ['bob@contoso.com']);
  });
  test('warns on allow + everyone with no require or exclude', () => {
    const r = compilePolicies([{ name: 'open', action: 'allow', include: [{ everyone: true }] }], base);
    assert.ok(r.ok);
    assert.match(r.warnings[0]!.message, /lets anyone with any login in/);
    const guarded = compilePolicies([{ name: 'g', action: 'allow', include: [{ everyone: true }], require: [{ authMethod: 'mfa' }] }], base);
    assert.deepEqual(guarded.warnings, []);
    const bypass = compilePolicies([{ name: 'b', action: 'bypass', include: [{ everyone: true }] }], base);
    assert.deepEqual(bypass.warnings, []);
  });
  test('warns that sessionDuration means nothing on block', () => {
    const r = compilePolicies([{ name: 'b', action: 'block', sessionDuration: '1h', include: [{ country: 'KP' }] }], base);
    assert.equal(r.warnings[0]!.path, 'apps[2].policies[0].sessionDuration');
  });
});
