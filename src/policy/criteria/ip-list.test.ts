import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipList } from './ip-list.ts';
import { parseCidr, type IpRange } from '../cidr.ts';
import { compileCriterion, facts } from '../testing.ts';

const ranges = (...t: string[]) => t.map((x) => parseCidr(x) as IpRange);
const ipLists = new Map([['office', ranges('198.51.100.0/24')], ['vpn', ranges('10.8.0.0/16')]]);
const from = (ip: string) => facts({ request: { ip, host: 'h', path: '/', method: 'GET' } });

test('ipList matches an address in the named list', () => {
  const c = compileCriterion(ipList, ['office', 'vpn'], { ipLists });
  assert.equal(c.match(from('198.51.100.20')), true);
  assert.equal(c.match(from('10.8.1.1')), true);
  assert.equal(c.match(from('10.9.1.1')), false);
});
test('ipList reports an unknown list name', () => {
  const c = compileCriterion(ipList, 'ofice', { ipLists });
  assert.match(c.errors[0]!.message, /unknown IP list "ofice"; known: office, vpn/);
});
