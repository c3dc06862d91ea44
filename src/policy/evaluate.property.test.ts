// Property tests: for random policy sets and facts, evaluation is total, and narrowing a policy with
// a matching exclude never widens access.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { PolicyInput, RiskLevel, Rule } from './language.ts';
import { evaluate } from './evaluate.ts';
import { explain, formatExplanation } from './explain.ts';
import { compileOk } from './testing.ts';
import type { Facts } from './types.ts';

const pick = <T>(...xs: T[]) => fc.constantFrom(...xs);
const some = <T>(...xs: T[]) => fc.subarray(xs, { minLength: 1 });

const networkRule: fc.Arbitrary<Rule> = fc.oneof(
  fc.constant<Rule>({ everyone: true }),
  fc.constant<Rule>({ anyServiceToken: true }),
  some('10.0.0.0/8', '0.0.0.0/0', '::/0', '192.0.2.0/24', '2001:db8::/32').map((ipRange): Rule => ({ ipRange })),
  some('US', 'PT', 'DE').map((country): Rule => ({ country })),
  pick('ci-bot', 'deploy').map((serviceToken): Rule => ({ serviceToken })),
  fc.constant<Rule>({ ipList: 'office' }),
);
const userRule: fc.Arbitrary<Rule> = fc.oneof(
  networkRule,
  some('a', 'b', 'c').map((group): Rule => ({ group })),
  some('bob@contoso.com', 'alice@contoso.com').map((email): Rule => ({ email })),
  pick('contoso.com', 'fabrikam.com').map((emailDomain): Rule => ({ emailDomain })),
  some('mfa', 'hwk', 'pwd').map((authMethod): Rule => ({ authMethod })),
  some('c1', 'c2').map((authContext): Rule => ({ authContext })),
  some('sales', 'ops').map((directoryGroup): Rule => ({ directoryGroup })),
  some<RiskLevel>('none', 'low', 'high').map((riskLevel): Rule => ({ riskLevel })),
  pick('entra', 'github').map((loginMethod): Rule => ({ loginMethod })),
  fc.record({ name: pick('dept'), value: pick('fin', 'eng') }).map((claim): Rule => ({ claim })),
  fc.constant<Rule>({ ruleGroup: 'staff' }),
);

const policy: fc.Arbitrary<PolicyInput> = pick<PolicyInput['action']>('allow', 'block', 'bypass', 'service_auth').chain((action) => {
  const rule = action === 'allow' || action === 'block' ? userRule : networkRule;
  return fc.record({
    name: fc.constant('p'),
    action: fc.constant(action),
    include: fc.array(rule, { minLength: 1, maxLength: 3 }),
    require: fc.array(rule, { maxLength: 2 }),
    exclude: fc.array(rule, { maxLength: 2 }),
  });
});
const policies = fc.array(policy, { maxLength: 6 }).map((ps) => ps.map((p, i) => ({ ...p, name: `p${i}` })));

const factsArb: fc.Arbitrary<Facts> = fc.record({
  ip: pick('10.1.2.3', '::ffff:10.1.2.3', '192.0.2.9', '2001:db8::1', '198.51.100.4', 'garbage', ''),
  country: fc.option(pick('US', 'PT', 'DE', 'us'), { nil: undefined }),
  token: fc.option(pick('ci-bot', 'deploy'), { nil: undefined }),
  identity: fc.option(fc.record({
    email: pick('bob@contoso.com', 'ALICE@contoso.com', 'eve@fabrikam.com', 'noat'),
    groupNames: fc.subarray(['A', 'b', 'x']),
    amr: fc.subarray(['mfa', 'hwk', 'pwd']),
    acrs: fc.subarray(['c1', 'c2']),
    idp: pick('entra', 'github'),
    dept: fc.option(pick('fin', 'eng'), { nil: undefined }),
  }), { nil: undefined }),
  directory: fc.option(fc.record({ groups: fc.subarray(['Sales', 'ops']), riskLevel: fc.option(pick<RiskLevel>('none', 'low', 'high'), { nil: undefined }), active: fc.boolean() }), { nil: undefined }),
}).map((r) => ({
  now: 0,
  request: { ip: r.ip, ...(r.country ? { country: r.country } : {}), host: 'app.example.com', path: '/', method: 'GET' },
  ...(r.token ? { serviceToken: { name: r.token } } : {}),
  ...(r.identity ? { identity: { userKey: 'u', email: r.identity.email, idp: r.identity.idp, groups: [], groupNames: r.identity.groupNames, amr: r.identity.amr, acrs: r.identity.acrs, claims: r.identity.dept ? { dept: r.identity.dept } : {} } } : {}),
  ...(r.directory ? { directory: { groups: r.directory.groups, active: r.directory.active, ...(r.directory.riskLevel ? { riskLevel: r.directory.riskLevel } : {}) } } : {}),
}));

const lib = { ruleGroups: [{ name: 'staff', include: [{ group: 'a' }, { directoryGroup: 'ops' }], exclude: [{ riskLevel: 'high' as const }] }], ipLists: [{ name: 'office', ranges: ['198.51.100.0/24'] }] };
const matching: Rule = { everyone: true };

test('property: evaluate and explain are total and agree', () => {
  fc.assert(fc.property(policies, factsArb, (ps, f) => {
    const set = compileOk(ps, lib);
    const d = evaluate(set, f);
    assert.notEqual(d.reasons[0]?.code, 'evaluation.error');
    assert.ok(['allow', 'block', 'bypass', 'service_auth', 'deny', 'authenticate'].includes(d.action));
    const trace = explain(set, f);
    assert.deepEqual(trace.decision, d);
    assert.ok(formatExplanation(trace).length > 0);
  }), { numRuns: 400 });
});

test('property: a matching exclude added to any allow policy never turns a non-allow into allow', () => {
  fc.assert(fc.property(policies, factsArb, fc.nat(), (ps, f, k) => {
    const before = evaluate(compileOk(ps, lib), f);
    const allows = ps.map((p, i) => (p.action === 'allow' ? i : -1)).filter((i) => i >= 0);
    fc.pre(before.action !== 'allow' && allows.length > 0);
    const target = allows[k % allows.length]!;
    const narrowed = ps.map((p, i) => (i === target ? { ...p, exclude: [...(p.exclude ?? []), matching] } : p));
    assert.notEqual(evaluate(compileOk(narrowed, lib), f).action, 'allow');
  }), { numRuns: 400 });
});

test('property: a block stays the same block when a matching exclude is added to any other policy', () => {
  fc.assert(fc.property(policies, factsArb, fc.nat(), (ps, f, k) => {
    const before = evaluate(compileOk(ps, lib), f);
    fc.pre(before.action === 'block' && ps.length > 1);
    const others = ps.map((_, i) => i).filter((i) => i !== before.policy!.index);
    const target = others[k % others.length]!;
    const narrowed = ps.map((p, i) => (i === target ? { ...p, exclude: [...(p.exclude ?? []), matching] } : p));
    assert.deepEqual(evaluate(compileOk(narrowed, lib), f), before);
  }), { numRuns: 200 });
});

test('the generators reach every decision, so the properties above are not vacuous', () => {
  const seen = new Set<string>();
  for (const [ps, f] of fc.sample(fc.tuple(policies, factsArb), { numRuns: 600, seed: 7 })) {
    const d = evaluate(compileOk(ps, lib), f);
    seen.add(d.stepUp ? 'step-up' : d.action);
  }
  assert.deepEqual([...seen].sort(), ['allow', 'authenticate', 'block', 'bypass', 'deny', 'service_auth', 'step-up']);
});
