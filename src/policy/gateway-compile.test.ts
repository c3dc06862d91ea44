import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileGateway } from './gateway-compile.ts';
import { gatewayRuleSchema } from './gateway-language.ts';
import { leaf, gwFacts } from './gateway-testing.ts';

const compile = (rules: unknown[]) => compileGateway({ rules: rules.map((r) => gatewayRuleSchema.parse(r)) }, new Map());

test('doNotInspect may not use HTTP selectors; isolate may not use destinationIp', () => {
  const r = compile([
    { name: 'a', action: 'doNotInspect', when: { path: { is: '/' } } },
    { name: 'b', action: 'isolate', when: { destinationIp: { is: '10.0.0.1' } } },
  ]);
  assert.equal(r.ok, false);
  assert.deepEqual(!r.ok && r.errors.map((e) => e.path), ['gateway.rules[0].when', 'gateway.rules[1].when']);
});

test('every bad leaf is reported with its path', () => {
  const r = compile([{ name: 'a', action: 'block', when: { and: [{ url: { matches: '(' } }, { sourceIp: { inList: 'x' } }] } }]);
  assert.equal(r.ok, false);
  assert.deepEqual(!r.ok && r.errors.map((e) => e.path), ['gateway.rules[0].when.and[0].url.matches', 'gateway.rules[0].when.and[1].sourceIp.inList']);
});

test('the schema refuses two operators, two selectors, and an unknown key', () => {
  assert.throws(() => gatewayRuleSchema.parse({ name: 'a', action: 'block', when: { host: { is: 'a', in: ['b'] } } }), /exactly one operator/);
  assert.throws(() => gatewayRuleSchema.parse({ name: 'a', action: 'block', when: { host: { is: 'a' }, path: { is: '/' } } }), /exactly one key/);
  assert.throws(() => gatewayRuleSchema.parse({ name: 'a', action: 'deny', when: { host: { is: 'a' } } }));
});

test('matches is linear-time (RE2): a catastrophic-backtracking pattern answers at once', () => {
  const l = leaf('url', { matches: '^(a+)+$' });
  const t0 = performance.now();
  assert.equal(l.test(gwFacts({ request: { url: `${'a'.repeat(50_000)}!` } })), false);
  assert.ok(performance.now() - t0 < 2000, 'took too long');
});

test('RE2 refuses backreferences and lookaround as a config error, not at request time', () => {
  assert.match(leaf('path', { matches: '(a)\\1' }).errors[0]!, /not a valid RE2 regular expression/);
  assert.match(leaf('path', { matches: '(?=a)' }).errors[0]!, /not a valid RE2/);
});
