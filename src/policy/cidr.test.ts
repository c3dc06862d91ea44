import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseIp, parseCidr, inRange, type IpRange } from './cidr.ts';

function range(text: string): IpRange {
  const r = parseCidr(text);
  if ('error' in r) throw new Error(r.error);
  return r;
}
function contains(cidr: string, ip: string): boolean {
  const a = parseIp(ip);
  return a !== null && inRange(a, range(cidr));
}

describe('IPv4', () => {
  test('matches inside and not outside a range', () => {
    assert.equal(contains('10.0.0.0/8', '10.255.1.2'), true);
    assert.equal(contains('10.0.0.0/8', '11.0.0.1'), false);
    assert.equal(contains('192.168.1.0/24', '192.168.1.255'), true);
    assert.equal(contains('192.168.1.0/24', '192.168.2.0'), false);
  });
  test('/0 matches every IPv4 address, /32 and bare addresses only themselves', () => {
    assert.equal(contains('0.0.0.0/0', '203.0.113.9'), true);
    assert.equal(contains('203.0.113.9/32', '203.0.113.9'), true);
    assert.equal(contains('203.0.113.9', '203.0.113.9'), true);
    assert.equal(contains('203.0.113.9', '203.0.113.10'), false);
  });
  test('high addresses stay unsigned', () => {
    assert.equal(contains('255.255.255.0/24', '255.255.255.255'), true);
    assert.equal(contains('128.0.0.0/1', '200.1.1.1'), true);
    assert.equal(contains('128.0.0.0/1', '127.255.255.255'), false);
  });
});

describe('IPv6', () => {
  test('matches compressed and full forms', () => {
    assert.equal(contains('2001:db8::/32', '2001:db8:ffff::1'), true);
    assert.equal(contains('2001:db8::/32', '2001:0db9::1'), false);
    assert.equal(contains('2001:db8::/32', '2001:0DB8:0000:0000:0000:0000:0000:0001'), true);
    assert.equal(contains('::1', '::1'), true);
    assert.equal(contains('fe80::/10', 'fe80::1%eth0'), true);
  });
  test('prefix boundaries inside a word', () => {
    assert.equal(contains('2001:db8:8000::/33', '2001:db8:8000::1'), true);
    assert.equal(contains('2001:db8:8000::/33', '2001:db8:7fff::1'), false);
  });
  test('families never cross', () => {
    assert.equal(contains('::/0', '10.0.0.1'), false);
    assert.equal(contains('0.0.0.0/0', '2001:db8::1'), false);
  });
  test('canonical text is RFC 5952 compressed', () => {
    assert.equal(range('2001:0db8:0000:0000:0000:0000:0000:0000/32').text, '2001:db8::/32');
    assert.equal(range('0.0.0.0/0').text, '0.0.0.0/0');
  });
});

describe('IPv4-mapped IPv6', () => {
  test('a mapped client address matches IPv4 ranges', () => {
    assert.equal(contains('10.0.0.0/8', '::ffff:10.1.2.3'), true);
    assert.equal(contains('10.0.0.0/8', '::ffff:0a01:0203'), true);
    assert.equal(contains('10.0.0.0/8', '::ffff:11.1.2.3'), false);
  });
  test('a mapped range is an IPv4 range', () => {
    assert.deepEqual(range('::ffff:10.0.0.0/104').text, '10.0.0.0/8');
    assert.equal(contains('::ffff:10.0.0.0/104', '10.9.9.9'), true);
  });
  test('a mapped range wider than /96 is refused', () => {
    assert.ok('error' in parseCidr('::ffff:0:0/95'));
  });
});

describe('bad input', () => {
  for (const text of ['', 'x', '10.0.0', '10.0.0.256', '010.0.0.1', '10.0.0.0/33', '10.0.0.0/-1', '10.0.0.0/',
    '1::2::3', '12345::', ':::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8::', 'fe80::1%eth0', '10.1.0.0/8', '2001:db8::1/32', '1.2.3.4::']) {
    test(`parseCidr refuses ${JSON.stringify(text)}`, () => {
      assert.ok('error' in parseCidr(text));
    });
  }
  test('host bits set suggests the network', () => {
    const r = parseCidr('10.1.0.0/8');
    assert.ok('error' in r && r.error.includes('10.0.0.0/8'));
  });
  test('parseIp returns null on junk without throwing', () => {
    for (const text of ['', 'localhost', '1.2.3.4.5', '::g', '%', '1.2.3.4%eth0', 'a'.repeat(100)]) {
      assert.equal(parseIp(text), null, text);
    }
    assert.equal(parseIp(undefined as unknown as string), null);
  });
});

test('parseIp answers repeated text from its cache with the same, frozen result', () => {
  const a = parseIp('192.0.2.7');
  assert.equal(parseIp('192.0.2.7'), a);
  assert.ok(Object.isFrozen(a) && Object.isFrozen(a!.words));
  assert.equal(parseIp('fe80::1%eth0', false), null);
  assert.deepEqual(parseIp('fe80::1%eth0'), parseIp('fe80::1'));
  assert.equal(parseIp('010.0.0.1'), null);
});
