import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessDialect, accessPhases, defineDialect } from './dialect.ts';
import { compilePolicies, type PolicyLike } from './compile.ts';
import { evaluate } from './evaluate.ts';
import { facts, identity } from './testing.ts';

type GatewayAction = 'isolate' | 'noisolate' | 'allow' | 'block';
const gateway = defineDialect<GatewayAction>({
  name: 'gateway-test',
  actions: ['isolate', 'noisolate', 'allow', 'block'],
  phases: [['noisolate', 'isolate'], ['allow', 'block']],
  identityFromPhase: 0,
  stepUpActions: [],
  grantingActions: ['allow'],
  sessionActions: [],
  restrictions: {},
});

test('the Access phase table is data', () => {
  assert.deepEqual(accessPhases, [['service_auth', 'bypass'], ['allow', 'block']]);
  assert.equal(accessDialect.phases, accessPhases);
});

test('another dialect compiles and evaluates with its own actions and phase order', () => {
  const ps: PolicyLike<GatewayAction>[] = [
    { name: 'allow-all', action: 'allow', include: [{ everyone: true }] },
    { name: 'isolate-risky', action: 'isolate', include: [{ directoryGroup: 'IdentityProtection-RiskyUser-RiskLevel-high' }] },
  ];
  const r = compilePolicies(ps, { dialect: gateway });
  assert.ok(r.ok);
  const risky = facts({ identity: identity(), directory: { groups: ['IdentityProtection-RiskyUser-RiskLevel-high'], active: true } });
  assert.equal(evaluate(r.value, risky).action, 'isolate');
  assert.equal(evaluate(r.value, facts()).action, 'allow');
  const bad = compilePolicies([{ name: 'x', action: 'bypass' as GatewayAction, include: [{ everyone: true }] }], { dialect: gateway });
  assert.ok(!bad.ok && bad.errors[0]!.path === 'policies[0].action');
});

test('defineDialect rejects an action that sits in no phase or in two', () => {
  const base = { name: 'bad', identityFromPhase: 0, stepUpActions: [], grantingActions: [], sessionActions: [], restrictions: {} };
  assert.throws(() => defineDialect({ ...base, actions: ['a', 'b'], phases: [['a']] }), /"b" is in 0 phases/);
  assert.throws(() => defineDialect({ ...base, actions: ['a'], phases: [['a'], ['a']] }), /"a" is in 2 phases/);
});
