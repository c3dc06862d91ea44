import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileGateway } from './gateway-compile.ts';
import { evaluateGateway } from './gateway-evaluate.ts';
import { candidates } from './gateway-index.ts';
import type { GatewayRuleInput } from './gateway-language.ts';
import { gatewayFacts, httpRequestFacts } from '../gateway/facts.ts';

const facts = (url: string, method = 'GET') => gatewayFacts('http', httpRequestFacts(new URL(url), method, '10.0.0.5'), {}, 0);

function compiled(rules: GatewayRuleInput[]) {
  const r = compileGateway({ rules }, new Map());
  assert.ok(r.ok);
  return r.value;
}

const many = (n: number): GatewayRuleInput[] => Array.from({ length: n }, (_, i) => ({ name: `site ${i}`, action: 'block', when: { domain: { is: `site${i}.example` } } }));

test('with 10,000 host rules a request considers only the rules naming its host or a parent domain', () => {
  const set = compiled(many(10_000));
  assert.deepEqual(candidates(set.index[2]!, 'a.site1234.example').map((r) => r.name), ['site 1234']);
  assert.equal(candidates(set.index[2]!, 'unlisted.example.org').length, 0);
  assert.equal(evaluateGateway(set, facts('https://a.site1234.example/')).policy?.name, 'site 1234');
  assert.equal(evaluateGateway(set, facts('https://unlisted.example.org/')).action, 'allow');
});

test('first match still wins in configured order: rules naming no host, negations and regexes stay candidates', () => {
  const rules: GatewayRuleInput[] = [
    ...many(20),
    { name: 'posts anywhere', action: 'block', when: { method: { is: 'POST' } } },
    { name: 'not site3', action: 'block', when: { host: { isNot: 'site3.example' } } },
    { name: 'regex', action: 'allow', when: { host: { matches: '^x' } } },
    { name: 'or with an ungated part', action: 'allow', when: { or: [{ domain: { is: 'late.example' } }, { path: { is: '/open' } }] } },
    { name: 'and gated by its host part', action: 'allow', when: { and: [{ path: { is: '/y' } }, { host: { in: ['y.example'] } }] } },
  ];
  const set = compiled(rules);
  assert.equal(evaluateGateway(set, facts('https://site3.example/', 'POST')).policy?.name, 'site 3');
  assert.equal(evaluateGateway(set, facts('https://other.example/', 'POST')).policy?.name, 'posts anywhere');
  assert.equal(evaluateGateway(set, facts('https://other.example/')).policy?.name, 'not site3');
  const names = candidates(set.index[2]!, 'y.example').map((r) => r.name);
  assert.deepEqual(names, ['posts anywhere', 'not site3', 'regex', 'or with an ungated part', 'and gated by its host part']);
});
