import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateGateway, allowsPrivateDestination } from './gateway-evaluate.ts';
import { compileGw, gwFacts } from './gateway-testing.ts';

const RISKY = 'IdentityProtection-RiskyUser-RiskLevel-high';
const seed = {
  name: 'Isolate risky users on app1/app2', action: 'isolate',
  when: { and: [{ domain: { in: ['app1.example.com', 'app2.example.com'] } }, { userGroupNames: { in: [RISKY] } }] },
};
const risky = { directory: { groups: [RISKY], active: true, riskLevel: 'high' as const } };

test('the seed policy: a high-risk user is isolated on app1, a low-risk user is allowed by default', () => {
  const set = compileGw([seed]);
  const d = evaluateGateway(set, gwFacts(risky));
  assert.equal(d.action, 'isolate');
  assert.equal(d.policy?.name, seed.name);
  assert.deepEqual(d.reasons.map((r) => r.code), ['gateway.domain.match', 'gateway.user_group_names.match']);
  const low = evaluateGateway(set, gwFacts());
  assert.equal(low.action, 'allow');
  assert.equal(low.reasons.at(-1)?.code, 'gateway.default');
});

test('precedence: isolate outranks an earlier block; first match wins within allow/block', () => {
  const set = compileGw([
    { name: 'block app1', action: 'block', when: { host: { is: 'app1.example.com' } } },
    { name: 'allow docs', action: 'allow', when: { path: { matches: '^/docs' } } },
    seed,
  ]);
  assert.equal(evaluateGateway(set, gwFacts(risky)).action, 'isolate');
  assert.equal(evaluateGateway(set, gwFacts()).policy?.name, 'block app1');
});

test('noIsolate ends the isolation phase and evaluation goes on to allow/block', () => {
  const set = compileGw([
    { name: 'keep bob local', action: 'noIsolate', when: { userEmail: { is: 'bob@contoso.com' } } },
    seed,
    { name: 'block app1', action: 'block', when: { domain: { is: 'example.com' } } },
  ]);
  const d = evaluateGateway(set, gwFacts(risky));
  assert.equal(d.action, 'block');
  assert.equal(d.reasons[0]?.code, 'gateway.no_isolate');
});

test('traffic from the remote browser is never isolated again, but block still applies', () => {
  const set = compileGw([seed, { name: 'admin', action: 'block', when: { path: { matches: '^/admin' } } }]);
  assert.equal(evaluateGateway(set, gwFacts({ ...risky, fromIsolation: true })).action, 'allow');
  assert.equal(evaluateGateway(set, gwFacts({ ...risky, fromIsolation: true, request: { path: '/admin/x' } })).action, 'block');
});

test('CONNECT stage: doNotInspect decides first; HTTP-only rules are skipped; isolation waits for HTTP', () => {
  const set = compileGw([
    { name: 'bank', action: 'doNotInspect', when: { domain: { in: ['bank.example'] } } },
    { name: 'path block', action: 'block', when: { path: { is: '/' } } },
    { name: 'host block', action: 'block', when: { host: { is: 'evil.example' } } },
    seed,
  ]);
  const at = (host: string) => gwFacts({ ...risky, stage: 'connect', request: { host, url: undefined, path: undefined, query: undefined, method: undefined } });
  assert.equal(evaluateGateway(set, at('www.bank.example')).action, 'doNotInspect');
  assert.equal(evaluateGateway(set, at('evil.example')).policy?.name, 'host block');
  assert.equal(evaluateGateway(set, at('app1.example.com')).action, 'allow');
  // doNotInspect never applies at HTTP time: the request is already decrypted.
  assert.equal(evaluateGateway(set, gwFacts({ request: { host: 'www.bank.example', path: '/x' } })).action, 'allow');
});

test('default action is configurable; a deprovisioned user is blocked before any rule', () => {
  const set = compileGw([{ name: 'ok', action: 'allow', when: { domain: { is: 'example.com' } } }], { defaultAction: 'block' });
  assert.equal(evaluateGateway(set, gwFacts({ request: { host: 'other.net' } })).action, 'block');
  const d = evaluateGateway(set, gwFacts({ directory: { groups: [], active: false } }));
  assert.equal(d.action, 'block');
  assert.equal(d.reasons[0]?.code, 'gateway.directory_inactive');
});

test('or: any branch; reasons name the branch that matched', () => {
  const set = compileGw([{ name: 'b', action: 'block', when: { or: [{ method: { is: 'DELETE' } }, { query: { matches: 'x=1' } }] } }]);
  const d = evaluateGateway(set, gwFacts());
  assert.equal(d.action, 'block');
  assert.deepEqual(d.reasons.map((r) => r.code), ['gateway.query.match']);
});

test('allowsPrivateDestination: only a matching allow rule that names the destination address', () => {
  const set = compileGw([
    { name: 'upstream', action: 'allow', when: { and: [{ host: { is: 'fake.test' } }, { destinationIp: { is: '127.0.0.1' } }] } },
    { name: 'all', action: 'allow', when: { host: { is: 'any.test' } } },
  ]);
  assert.equal(allowsPrivateDestination(set, gwFacts({ request: { host: 'fake.test', destinationIp: '127.0.0.1' } }))?.name, 'upstream');
  assert.equal(allowsPrivateDestination(set, gwFacts({ request: { host: 'fake.test', destinationIp: '127.0.0.2' } })), undefined);
  assert.equal(allowsPrivateDestination(set, gwFacts({ request: { host: 'any.test', destinationIp: '127.0.0.1' } })), undefined);
});
