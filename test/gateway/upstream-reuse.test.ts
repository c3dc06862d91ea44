// Upstream connection reuse: requests of one user to one origin share a keep-alive connection;
// another user's requests never ride it (connection-bound origin auth such as NTLM would otherwise
// let them act as the first user).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { startGatewayStack, type GatewayStack } from './harness.ts';

let s: GatewayStack;
let alice: string;
let bob: string;
const sockets: Socket[] = [];

before(async () => {
  s = await startGatewayStack({ gateway: { rules: [{ name: 'Loopback', action: 'allow', when: { destinationIp: { is: '127.0.0.1' } } }] } });
  s.upstream.server.on('connection', (c: Socket) => sockets.push(c));
  alice = (await s.createCredential(await s.signIn('alice@contoso.com'))).auth;
  bob = (await s.createCredential(await s.signIn('bob@contoso.com'))).auth;
});
after(() => s.close());

test('one user\'s sequential requests to an origin reuse one upstream connection', async () => {
  const before = sockets.length;
  for (let i = 0; i < 3; i++) {
    const r = await s.proxy('GET', `http://app1.example.com:${s.upstream.port}/r${i}`, { 'proxy-authorization': alice });
    assert.equal(r.status, 200);
  }
  assert.equal(sockets.length - before, 1);
});

test('another user gets a connection of their own', async () => {
  const before = sockets.length;
  assert.equal((await s.proxy('GET', `http://app1.example.com:${s.upstream.port}/b`, { 'proxy-authorization': bob })).status, 200);
  assert.equal((await s.proxy('GET', `http://app1.example.com:${s.upstream.port}/a`, { 'proxy-authorization': alice })).status, 200);
  assert.equal(sockets.length - before, 1);
});
