import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gwFacts, leaf } from '../gateway-testing.ts';

test('url: case-sensitive exact match and regex', () => {
  assert.equal(leaf('url', { is: 'https://app1.example.com/docs/a?x=1' }).test(gwFacts()), true);
  assert.equal(leaf('url', { is: 'https://app1.example.com/DOCS/a?x=1' }).test(gwFacts()), false);
  assert.equal(leaf('url', { matches: '/docs/' }).test(gwFacts()), true);
});
test('url: unknown at CONNECT time, so even isNot does not match', () => {
  assert.equal(leaf('url', { isNot: 'https://x/' }).test(gwFacts({ stage: 'connect', request: { url: undefined } })), false);
});
