// Simulated Conditional Access: which contexts a claims request names and how policies decide.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateContext, evaluateContexts, requestedContexts } from './ca-policy.ts';

const policies = [{ name: 'Payroll', authContext: 'c1', requireMfa: true, requireCompliantDevice: true }];

test('requestedContexts reads id_token and access_token members, value and values, ignoring junk', () => {
  assert.deepEqual(requestedContexts({ id_token: { acrs: { essential: true, value: 'c1' } } }), ['c1']);
  assert.deepEqual(requestedContexts({ access_token: { acrs: { values: ['c2', 'c3', 7, 'x'] } } }), ['c2', 'c3']);
  assert.deepEqual(requestedContexts({ id_token: { acr: { value: 'c1' } } }), []);
  assert.deepEqual(requestedContexts('c1'), []);
});

test('a non-compliant device is blocked with AADSTS53000 before any MFA prompt', () => {
  const out = evaluateContext('c1', { mfa: true, compliantDevice: false }, policies, false);
  assert.equal(out.kind, 'blocked');
  assert.match(out.kind === 'blocked' ? out.description : '', /^AADSTS53000:/);
});

test('MFA is prompted, then satisfied; a user without MFA is blocked with AADSTS50079', () => {
  assert.deepEqual(evaluateContext('c1', { mfa: true, compliantDevice: true }, policies, false), { kind: 'mfa_required' });
  assert.deepEqual(evaluateContext('c1', { mfa: true, compliantDevice: true }, policies, true), { kind: 'satisfied' });
  assert.equal(evaluateContext('c1', { mfa: false, compliantDevice: true }, policies, false).kind, 'blocked');
});

test('a context no policy targets is satisfied; any block wins across contexts', () => {
  assert.deepEqual(evaluateContext('c2', { mfa: false, compliantDevice: false }, policies, false), { kind: 'satisfied' });
  assert.equal(evaluateContexts(['c2', 'c1'], { mfa: true, compliantDevice: false }, policies, true).kind, 'blocked');
});
