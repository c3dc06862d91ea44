// Bad input at the forward proxy is refused or contained, and the proxy keeps serving everyone
// else: malformed CONNECT targets, absolute-URI/Host disagreements, oversized headers, CL+TE
// smuggling, upstream resets, and a CONNECT tunnel to a name that resolves to a private address.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { startGatewayStack, type GatewayStack } from './harness.ts';

let s: GatewayStack;
let auth: string;
let resetter: Server;
let resetPort: number;

before(async () => {
  resetter = createServer((sock) => sock.resetAndDestroy());
  await new Promise<void>((r) => resetter.listen(0, '127.0.0.1', () => r()));
  resetPort = (resetter.address() as { port: number }).port;
  s = await startGatewayStack({
    names: { 'reset.example.com': '127.0.0.1', 'internal.example.com': '127.0.0.5' },
    gateway: { rules: [{ name: 'Local test upstream', action: 'allow', when: { destinationIp: { is: '127.0.0.1' } } }] },
  });
  auth = (await s.createCredential(await s.signIn('alice@contoso.com'))).auth;
});
after(async () => {
  await s.close();
  resetter.close();
});

const still = async () => assert.equal((await s.proxy('GET', `http://app1.example.com:${s.upstream.port}/`, { 'proxy-authorization': auth })).status, 200);

test('malformed CONNECT targets get 400 and no dial', async () => {
  const before = s.dialled.length;
  for (const target of ['app1.example.com', 'http://app1.example.com:443', 'user@app1.example.com:443', 'app1.example.com:99999', '[zz]:443']) {
    const out = await s.rawProxy(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\nProxy-Authorization: ${auth}\r\n\r\n`);
    assert.match(out, /^HTTP\/1\.1 400 /, target);
  }
  assert.equal(s.dialled.length, before);
  await still();
});

test('an absolute URI whose Host header disagrees is refused', async () => {
  const r = await s.proxy('GET', `http://app1.example.com:${s.upstream.port}/`, { 'proxy-authorization': auth, host: 'blocked.example.com' });
  assert.equal(r.status, 400);
  assert.match(r.body, /Host header does not match/);
  const origin = await s.rawProxy(`GET / HTTP/1.1\r\nHost: app1.example.com\r\nProxy-Authorization: ${auth}\r\n\r\n`);
  assert.match(origin, /^HTTP\/1\.1 400 /);
});

test('oversized headers get 431; Content-Length with Transfer-Encoding is refused before any upstream sees it', async () => {
  const big = await s.rawProxy(`GET http://app1.example.com/ HTTP/1.1\r\nHost: app1.example.com\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
  assert.match(big, /^HTTP\/1\.1 431 /);
  const seen = s.upstream.seen.length;
  const smuggle = await s.rawProxy(`POST http://app1.example.com:${s.upstream.port}/ HTTP/1.1\r\nHost: app1.example.com:${s.upstream.port}\r\nProxy-Authorization: ${auth}\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n`);
  assert.match(smuggle, /^HTTP\/1\.1 400 /);
  assert.equal(s.upstream.seen.length, seen);
  await still();
});

test('an upstream that resets the connection gets a 502 page; the proxy serves on', async () => {
  const r = await s.proxy('GET', `http://reset.example.com:${resetPort}/`, { 'proxy-authorization': auth });
  assert.equal(r.status, 502);
  await still();
});

test('a CONNECT to a name resolving to an unlisted private address is refused without dialling', async () => {
  const before = s.dialled.length;
  const out = await s.rawProxy(`CONNECT internal.example.com:443 HTTP/1.1\r\nHost: internal.example.com:443\r\nProxy-Authorization: ${auth}\r\n\r\n`);
  assert.match(out, /^HTTP\/1\.1 403 /);
  assert.match(out, /127\.0\.0\.5 is loopback/);
  assert.equal(s.dialled.length, before);
  const plain = await s.proxy('GET', 'http://internal.example.com/', { 'proxy-authorization': auth });
  assert.equal(plain.status, 403);
  assert.equal(s.dialled.length, before);
});

test('a client that opens a CONNECT without credentials gets 407 and the tunnel is not opened', async () => {
  const out = await s.rawProxy(`CONNECT app1.example.com:${s.upstream.port} HTTP/1.1\r\nHost: app1.example.com\r\n\r\n`);
  assert.match(out, /^HTTP\/1\.1 407 /);
  assert.match(out, /proxy-authenticate: Basic realm="Moatless Gateway"/i);
});
