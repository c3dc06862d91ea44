// WebSockets through the gateway: a plain absolute-form Upgrade and one inside an inspected
// CONNECT tunnel (the `ws` client library over the decrypted tunnel) reach echo origins; the
// gateway's rules apply at the upgrade request (a blocked path gets 403, the origin never sees it).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { WebSocket, WebSocketServer } from 'ws';
import { createLeaf, createRootCa, newKeys, privateKeyPem } from '../../src/gateway/certificates.ts';
import { startGatewayStack, type GatewayStack } from './harness.ts';
import { connectTunnel } from './tunnel-client.ts';

let s: GatewayStack;
let auth: string;
let gatewayCa: string;
let tlsServer: Server;
let securePort: number;
const dir = mkdtempSync(join(tmpdir(), 'moatless-ws-'));
const upgradesSeen: string[] = [];
const upgradeHeaders: string[][] = [];

before(async () => {
  const ca = await createRootCa('CN=WS Test CA', Date.now());
  writeFileSync(join(dir, 'ca.pem'), ca.cert.toString('pem'));
  const keys = await newKeys();
  const leaf = await createLeaf(ca, 'secure.example.com', keys.publicKey, Date.now());
  tlsServer = createServer({ key: await privateKeyPem(keys.privateKey), cert: leaf.toString('pem') });
  const wss = new WebSocketServer({ server: tlsServer });
  wss.on('connection', (ws, req) => ws.on('message', (m) => ws.send(`tls echo ${req.url} ${String(m)}`)));
  await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', () => r()));
  securePort = (tlsServer.address() as { port: number }).port;
  s = await startGatewayStack({
    names: { 'secure.example.com': '127.0.0.1' },
    gateway: {
      extraCaFile: join(dir, 'ca.pem'),
      rules: [
        { name: 'No blocked sockets', action: 'block', when: { path: { matches: '^/blocked' } } },
        { name: 'Loopback', action: 'allow', when: { destinationIp: { is: '127.0.0.1' } } },
      ],
    },
  });
  s.upstream.server.on('upgrade', (req) => { upgradesSeen.push(String(req.url)); upgradeHeaders.push(Object.keys(req.headers)); });
  auth = (await s.createCredential(await s.signIn('alice@contoso.com'))).auth;
  gatewayCa = (await s.authGet('/gateway/ca.crt')).body;
});
after(async () => {
  await s.close();
  tlsServer.closeAllConnections();
  tlsServer.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A masked client text frame (RFC 6455 §5.2), payload under 126 bytes. */
function frame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
}

/** Text frames from the server (unmasked, under 126 bytes each). */
function texts(buf: Buffer): string[] {
  const out: string[] = [];
  for (let i = 0; i + 2 <= buf.length;) {
    const len = buf[i + 1]! & 0x7f;
    out.push(buf.subarray(i + 2, i + 2 + len).toString());
    i += 2 + len;
  }
  return out;
}

function plainUpgrade(path: string): Promise<{ head: string; frames: string[] }> {
  return new Promise((resolve, reject) => {
    const target = `app1.example.com:${s.upstream.port}`;
    const sock = netConnect(s.gwPort, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let head = '';
    sock.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      if (!head) {
        const end = buf.indexOf('\r\n\r\n');
        if (end === -1) return;
        head = buf.subarray(0, end).toString('latin1');
        buf = buf.subarray(end + 4);
        if (!head.startsWith('HTTP/1.1 101')) return void sock.destroy();
        sock.write(frame('ping'));
      }
      const frames = texts(buf);
      if (frames.length >= 2) { sock.destroy(); resolve({ head, frames }); }
    });
    sock.on('close', () => resolve({ head, frames: texts(buf) }));
    sock.on('error', reject);
    sock.write(`GET http://${target}${path} HTTP/1.1\r\nHost: ${target}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`
      + `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\nProxy-Authorization: ${auth}\r\n\r\n`);
  });
}

test('a plain absolute-form WebSocket upgrade reaches the origin and echoes; the credential is not relayed', async () => {
  const r = await plainUpgrade('/ws');
  assert.match(r.head, /^HTTP\/1\.1 101 /);
  assert.match(r.frames[0]!, /"hello":true/);
  assert.equal(r.frames[1], 'ping');
  assert.ok(upgradesSeen.includes('/ws'));
  assert.ok(!upgradeHeaders[upgradesSeen.indexOf('/ws')]!.includes('proxy-authorization'));
});

test('rules apply at the upgrade: a blocked path gets 403 and the origin never sees it', async () => {
  const r = await plainUpgrade('/blocked/ws');
  assert.match(r.head, /^HTTP\/1\.1 403 /);
  assert.ok(!upgradesSeen.includes('/blocked/ws'));
});

test('a WebSocket inside an inspected CONNECT tunnel (ws client) reaches a TLS origin and echoes', async () => {
  const target = `secure.example.com:${securePort}`;
  const tunnel = await connectTunnel(s.gwPort, auth, target);
  const secureSock = tls.connect({ socket: tunnel, servername: 'secure.example.com', ca: gatewayCa });
  await new Promise<void>((resolve, reject) => { secureSock.once('secureConnect', resolve); secureSock.once('error', reject); });
  const ws = new WebSocket(`wss://${target}/live`, { createConnection: () => secureSock });
  const reply = await new Promise<string>((resolve, reject) => {
    ws.on('open', () => ws.send('hi'));
    ws.on('message', (m) => resolve(String(m)));
    ws.on('error', reject);
  });
  const closed = new Promise((r) => ws.once('close', r));
  ws.close();
  await closed;
  assert.equal(reply, 'tls echo /live hi');
  // The line is written when the relay ends, just after the close.
  await s.waitForLogRow((r) => r.url === `https://${target}/live` && r.status === 101, 'the relayed WebSocket');
});
