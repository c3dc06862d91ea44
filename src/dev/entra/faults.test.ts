// Fault queue and request counters: glob matching, counts, consumption order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EmulatorError } from './errors.ts';
import { Faults, globToRegExp, RequestLog } from './faults.ts';

test('* matches one segment, ** any, case-insensitively', () => {
  const one = globToRegExp('/v1.0/users/*/transitiveMemberOf');
  assert.ok(one.test('/v1.0/users/abc/transitiveMemberOf'));
  assert.ok(one.test('/v1.0/USERS/abc/transitivememberof'));
  assert.ok(!one.test('/v1.0/users/a/b/transitiveMemberOf'));
  assert.ok(globToRegExp('/v1.0/**').test('/v1.0/groups/x/members'));
  assert.ok(!globToRegExp('/v1.0/users').test('/v1.0/users.json'), 'dots are literal');
});

test('a fault is consumed count times, then the path works again', () => {
  const faults = new Faults();
  faults.add({ path: '/a/*', status: 429, retryAfter: 1, count: 2 });
  assert.equal(faults.take('GET', '/b/x'), undefined);
  assert.equal(faults.take('GET', '/a/x')?.retryAfter, 1);
  assert.equal(faults.take('GET', '/a/y')?.status, 429);
  assert.equal(faults.take('GET', '/a/z'), undefined);
  assert.deepEqual(faults.list(), []);
});

test('method filters and invalid specs', () => {
  const faults = new Faults();
  faults.add({ method: 'POST', status: 503 });
  assert.equal(faults.take('GET', '/x'), undefined);
  assert.equal(faults.take('POST', '/x')?.status, 503);
  assert.throws(() => faults.add({ status: 200 }), (e) => e instanceof EmulatorError && e.code === 'invalid_fault');
});

test('requestCount patterns accept an optional method', () => {
  const log = new RequestLog();
  log.record({ method: 'POST', path: '/v1.0/users/u1/getMemberObjects', status: 200, at: '' });
  log.record({ method: 'GET', path: '/v1.0/users/u1', status: 200, at: '' });
  assert.equal(log.count('/v1.0/users/*/getMemberObjects'), 1);
  assert.equal(log.count('GET /v1.0/users/*/getMemberObjects'), 0);
  assert.equal(log.count('/v1.0/**'), 2);
});

test('skip lets that many matching requests through before the fault applies', () => {
  const faults = new Faults();
  faults.add({ path: '/v1.0/groups/delta', status: 503, skip: 1 });
  assert.equal(faults.take('GET', '/v1.0/groups/delta'), undefined, 'page 1 passes');
  assert.equal(faults.take('GET', '/v1.0/groups/delta')?.status, 503, 'page 2 fails');
  assert.equal(faults.take('GET', '/v1.0/groups/delta'), undefined);
});
