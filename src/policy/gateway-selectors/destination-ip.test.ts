import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gwFacts, leaf } from '../gateway-testing.ts';

test('destinationIp: the resolved address, IPv4-mapped IPv6 folded', () => {
  const l = leaf('destinationIp', { is: '169.254.169.254' });
  assert.equal(l.test(gwFacts({ request: { destinationIp: '::ffff:169.254.169.254' } })), true);
  assert.equal(l.test(gwFacts()), false);
  assert.equal(l.compiled!.namesDestination, true);
});
test('destinationIp: not resolved yet matches nothing', () => {
  assert.equal(leaf('destinationIp', { notIn: ['10.0.0.0/8'] }).test(gwFacts({ request: { destinationIp: undefined } })), false);
  assert.equal(leaf('destinationIp', { notIn: ['10.0.0.0/8'] }).compiled!.namesDestination, false);
});
