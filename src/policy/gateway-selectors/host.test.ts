import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gwFacts, leaf } from '../gateway-testing.ts';

test('host: is matches the exact hostname, case-insensitively, not subdomains', () => {
  const l = leaf('host', { is: 'App1.Example.com' });
  assert.equal(l.test(gwFacts()), true);
  assert.equal(l.test(gwFacts({ request: { host: 'x.app1.example.com' } })), false);
});
test('host: inList reads gateway.hostLists; isNot on another host', () => {
  assert.equal(leaf('host', { inList: 'apps' }, { apps: ['app1.example.com'] }).test(gwFacts()), true);
  assert.equal(leaf('host', { isNot: 'app2.example.com' }).test(gwFacts()), true);
  assert.match(leaf('host', { inList: 'nope' }).errors[0]!, /unknown host list "nope"/);
});
