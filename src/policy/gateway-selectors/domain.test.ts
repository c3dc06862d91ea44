import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gwFacts, leaf } from '../gateway-testing.ts';

test('domain: a listed domain matches itself and every subdomain, not look-alikes', () => {
  const l = leaf('domain', { in: ['example.com', 'other.org'] });
  assert.equal(l.test(gwFacts({ request: { host: 'example.com' } })), true);
  assert.equal(l.test(gwFacts({ request: { host: 'a.b.example.com' } })), true);
  assert.equal(l.test(gwFacts({ request: { host: 'badexample.com' } })), false);
  assert.equal(l.test(gwFacts({ request: { host: 'example.com.evil.net' } })), false);
});
test('domain: notIn matches other domains; matches runs a regex on the host', () => {
  assert.equal(leaf('domain', { notIn: ['example.com'] }).test(gwFacts({ request: { host: 'example.net' } })), true);
  assert.equal(leaf('domain', { matches: '^app[0-9]\\.' }).test(gwFacts()), true);
});
