// The directory's inactive flag (SCIM active=false) is checked once, by the engine, before any phase:
// the proxy, the auth host and `moatless policy test` all get the same answer from evaluate().
// Addresses below (10.0.0.0/8, example hosts) are data, never dialled; the network guard is loaded here
// too, so even a run of this file alone cannot reach them.
import '../../test/harness/no-network.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate } from './evaluate.ts';
import { explain } from './explain.ts';
import { compileOk, facts, identity } from './testing.ts';

const set = compileOk([
  { name: 'ci', action: 'service_auth', include: [{ serviceToken: 'ci-bot' }] },
  { name: 'lan', action: 'bypass', include: [{ ipRange: '10.0.0.0/8' }] },
  { name: 'staff', action: 'allow', include: [{ everyone: true }] },
]);
const lan = { ip: '10.0.0.5', host: 'h', path: '/', method: 'GET' };
const inactive = { groups: [], active: false };

test('an inactive user is denied even where a bypass or service_auth policy would forward the request', () => {
  for (const f of [facts({ request: lan, directory: inactive }), facts({ serviceToken: { name: 'ci-bot' }, directory: inactive })]) {
    const detail = 'the directory marks this user inactive';
    assert.deepEqual(evaluate(set, f), { action: 'deny', reasons: [{ code: 'directory.inactive', detail }] });
  }
});

test('without a signed-in user the inactive flag plays no part (a token or a bypass still decides)', () => {
  assert.equal(evaluate(set, facts({ identity: undefined, request: lan, directory: inactive })).action, 'bypass');
  assert.equal(evaluate(set, facts({ identity: identity(), directory: { groups: [], active: true } })).action, 'allow');
});

test('the trace shows no policy as reached for an inactive user', () => {
  const e = explain(set, facts({ request: lan, directory: inactive }));
  assert.deepEqual(e.policies.map((p) => p.reached), [false, false, false]);
});
