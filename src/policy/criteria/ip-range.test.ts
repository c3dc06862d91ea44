import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipRange } from './ip-range.ts';
import { compileCriterion, facts } from '../testing.ts';

const from = (ip: string) => facts({ request: { ip, host: 'h', path: '/', method: 'GET' } });

test('ipRange matches v4, v6 and v4-mapped client addresses', () => {
  const c = compileCriterion(ipRange, ['10.0.0.0/8', '2001:db8::/32']);
  assert.equal(c.match(from('10.1.2.3')), true);
  assert.equal(c.match(from('::ffff:10.1.2.3')), true);
  assert.equal(c.match(from('2001:db8::5')), true);
  assert.equal(c.match(from('192.0.2.1')), false);
});
test('ipRange: a bad client address fails to match instead of throwing', () => {
  const c = compileCriterion(ipRange, '0.0.0.0/0');
  assert.equal(c.match(from('not-an-ip')), false);
  assert.equal(c.match(from('')), false);
});
test('ipRange list under require needs the address in every range', () => {
  const c = compileCriterion(ipRange, ['10.0.0.0/8', '10.1.0.0/16']);
  assert.equal(c.match(from('10.1.2.3'), true), true);
  assert.equal(c.match(from('10.2.2.3'), true), false);
});
test('ipRange reports every bad CIDR with its index', () => {
  const c = compileCriterion(ipRange, ['10.0.0.0/8', '10.0.0.0/33', 'office']);
  assert.equal(c.compiled, undefined);
  assert.deepEqual(c.errors.map((e) => e.path), ['r[1]', 'r[2]']);
});
