// Work the gateway does not repeat per request: a name is resolved once per `gateway.dnsCacheTtl`
// (the egress check still runs every time, on the address dialled), and without
// `gateway.sourceIpBinding` no trusted-network lookup runs at all.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { countSourceIpLookups, startGatewayStack, type GatewayStack } from './harness.ts';

let s: GatewayStack;

before(async () => {
  s = await startGatewayStack({
    gateway: {
      unidentified: 'anonymous',
      rules: [{ name: 'Local test upstream', action: 'allow', when: { destinationIp: { is: '127.0.0.1' } } }],
    },
    names: { 'metadata.example.com': '169.254.169.254' },
  });
});
after(() => s.close());

test('repeated requests to one name ask the resolver once within the DNS cache TTL', async () => {
  for (let i = 0; i < 3; i++) {
    assert.equal((await s.proxy('GET', `http://app1.example.com:${s.upstream.port}/n${i}`)).status, 200);
  }
  assert.deepEqual(s.resolved.filter((h) => h === 'app1.example.com'), ['app1.example.com']);
  assert.ok(s.dialled.includes(`127.0.0.1:${s.upstream.port}`), 'the resolved address is the one dialled');
});

test('a cached link-local answer is refused on every request, never dialled', async () => {
  const before = s.dialled.length;
  for (let i = 0; i < 2; i++) assert.equal((await s.proxy('GET', 'http://metadata.example.com/latest')).status, 403);
  assert.deepEqual(s.resolved.filter((h) => h === 'metadata.example.com'), ['metadata.example.com']);
  assert.equal(s.dialled.length, before);
});

test('without gateway.sourceIpBinding the proxy makes no trusted-network lookup', async () => {
  const lookups = countSourceIpLookups();
  try {
    assert.equal((await s.proxy('GET', `http://app1.example.com:${s.upstream.port}/`)).status, 200);
    assert.equal(lookups.count(), 0);
  } finally {
    lookups.restore();
  }
});
