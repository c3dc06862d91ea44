import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkEgress, nonPublicReason, resolveTarget } from './egress.ts';
import { parseAuthority } from './target.ts';

test('metadata, loopback, private, unique-local and mapped forms are not public', () => {
  for (const ip of ['169.254.169.254', '127.0.0.1', '10.2.3.4', '172.20.0.1', '192.168.1.1', '::1', 'fd00::1', 'fe80::1', '::ffff:169.254.169.254', '0.0.0.0', '100.64.0.1']) {
    assert.notEqual(nonPublicReason(ip), null, ip);
  }
  assert.equal(nonPublicReason('93.184.216.34'), null);
  assert.equal(nonPublicReason('2606:4700::1111'), null);
});

test('decimal, octal and hex spellings of 127.0.0.1 and 169.254.169.254 normalise before the check', () => {
  for (const spelled of ['2130706433:80', '0177.0.0.1:80', '0x7f.1:80', '[::ffff:127.0.0.1]:80', '2852039166:80', '[::ffff:a9fe:a9fe]:80']) {
    const t = parseAuthority(spelled);
    assert.ok(t.ok, spelled);
    assert.ok(t.ok && nonPublicReason(t.host.replace(/^\[|\]$/g, '')) !== null, `${spelled} → ${t.ok && t.host}`);
  }
});

test('an allow rule opens a private address; own listeners never open', () => {
  const own = [{ host: '127.0.0.1', port: 3128 }, { host: '0.0.0.0', port: 8443 }];
  assert.equal(checkEgress('127.0.0.1', 9000, own, false).ok, false);
  assert.equal(checkEgress('127.0.0.1', 9000, own, true).ok, true);
  assert.equal(checkEgress('127.0.0.1', 3128, own, true).ok, false);
  assert.equal(checkEgress('127.0.0.2', 3128, own, true).ok, false);
  assert.equal(checkEgress('93.184.216.34', 8443, own, true).ok, false);
  assert.equal(checkEgress('93.184.216.34', 443, own, false).ok, true);
});

test('resolveTarget: literals are not looked up; names go to the injected resolver', async () => {
  const asked: string[] = [];
  const resolver = async (h: string) => { asked.push(h); return ['169.254.169.254']; };
  assert.deepEqual(await resolveTarget('[::1]', resolver), ['::1']);
  assert.deepEqual(await resolveTarget('rebind.test', resolver), ['169.254.169.254']);
  assert.deepEqual(asked, ['rebind.test']);
});
