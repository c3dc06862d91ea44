// Addresses below (10.0.0.0/8, example hosts) are data, never dialled; the network guard is loaded here
// too, so even a run of this file alone cannot reach them.
import '../../../test/harness/no-network.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appSchema } from './apps.ts';

const base = {
  id: 'legacy', hosts: ['legacy.example.com'], upstream: 'http://10.0.0.5:8080', identityHeaders: { user: 'Remote_User' },
};

test('passClientHeaders takes header names, lower-cased', () => {
  const r = appSchema.safeParse({ ...base, passClientHeaders: ['X-Forwarded-User', 'x_auth_request_email'] });
  assert.ok(r.success);
  assert.deepEqual(r.data.passClientHeaders, ['x-forwarded-user', 'x_auth_request_email']);
});

test('passClientHeaders cannot let a client set the app\'s own identity or assertion header, in any spelling', () => {
  const passClientHeaders = ['remote-user', 'Moatless_JWT_Assertion', 'moatless-access-client-id', 'bad header'];
  const r = appSchema.safeParse({ ...base, passClientHeaders });
  assert.ok(!r.success);
  const issues = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  assert.deepEqual(issues.sort(), [
    'passClientHeaders.0: "remote-user" is this app\'s identity header "remote_user"; only Moatless may set it',
    'passClientHeaders.1: "moatless_jwt_assertion" is this app\'s assertion header "moatless-jwt-assertion"; only Moatless may set it',
    'passClientHeaders.2: "moatless-access-client-id" is a Moatless header; only Moatless may set it',
    'passClientHeaders.3: an HTTP header name',
  ]);
});

test('an app needs an upstream unless its own proxy forwards (mode: forwardAuth), which refuses one', () => {
  const { upstream: _, ...noUpstream } = base;
  assert.ok(appSchema.safeParse({ ...noUpstream, mode: 'forwardAuth' }).success);
  const missing = appSchema.safeParse(noUpstream);
  assert.ok(!missing.success);
  assert.deepEqual(missing.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    ['upstream: required: the origin Moatless proxies to (or set mode: forwardAuth)']);
  const both = appSchema.safeParse({ ...base, mode: 'forwardAuth' });
  assert.ok(!both.success);
  assert.match(both.error.issues[0]!.message, /a forwardAuth app has no upstream/);
});
