import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gwFacts, leaf } from '../gateway-testing.ts';

test('sourceIp: CIDR ranges and ipLists', () => {
  assert.equal(leaf('sourceIp', { in: ['10.1.0.0/16'] }).test(gwFacts()), true);
  assert.equal(leaf('sourceIp', { inList: 'office' }).test(gwFacts()), true);
  assert.equal(leaf('sourceIp', { notInList: 'office' }).test(gwFacts({ request: { sourceIp: '::ffff:192.0.2.1' } })), true);
});
test('sourceIp: a regex or a bad CIDR is a config error', () => {
  assert.match(leaf('sourceIp', { matches: '^10' }).errors[0]!, /not a regular expression/);
  assert.match(leaf('sourceIp', { is: '10.0.0.1/8' }).errors[0]!, /host bits/);
});
