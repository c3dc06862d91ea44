// TLS inspection end to end on loopback: the gateway's CA (downloaded from the auth host) is the
// only trust a client needs; decrypted requests get HTTP-stage rules (path block); upstream
// certificates are verified (a test CA via gateway.extraCaFile); an untrusted upstream gets the
// block page; Do Not Inspect tunnels stay end-to-end; a client that stalls its handshake is cut off.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { createLeaf, createRootCa, newKeys, privateKeyPem } from '../../src/gateway/certificates.ts';
import { startGatewayStack, type GatewayStack } from './harness.ts';
import { connectTunnel as rawTunnel, httpsGet as tunnelGet } from './tunnel-client.ts';

let s: GatewayStack;
let auth: string;
let gatewayCa: string;
let testCaPem: string;
const servers: Server[] = [];
/** Every request an upstream saw, as "host METHOD url". */
const seen: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'moatless-tls-'));

async function httpsUpstream(host: string, trusted: boolean): Promise<number> {
  const ca = await createRootCa(`CN=${trusted ? 'Test Upstream CA' : 'Untrusted CA'}`, Date.now());
  if (trusted) testCaPem = ca.cert.toString('pem');
  const keys = await newKeys();
  const leaf = await createLeaf(ca, host, keys.publicKey, Date.now());
  const srv = createServer({ key: await privateKeyPem(keys.privateKey), cert: leaf.toString('pem') }, (req, res) => {
    seen.push(`${host} ${req.method} ${req.url}`);
    // Larger than the gateway gathers (64 KB): streamed, with a length or chunked.
    if (req.url === '/big-length' || req.url === '/big-chunked') {
      const body = Buffer.alloc(300_000, 'abcdefghij');
      res.writeHead(200, req.url === '/big-length' ? { 'content-length': body.length } : {});
      for (let i = 0; i < body.length; i += 50_000) res.write(body.subarray(i, i + 50_000));
      return void res.end();
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`upstream ${host} ${req.method} ${req.url}`);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  servers.push(srv);
  return (srv.address() as { port: number }).port;
}

let securePort: number;
let evilPort: number;
let pinnedPort: number;

before(async () => {
  securePort = await httpsUpstream('secure.example.com', true);
  const trustedCa = testCaPem;
  pinnedPort = await httpsUpstream('pinned.example.com', true);
  writeFileSync(join(dir, 'test-ca.pem'), `${trustedCa}\n${testCaPem}`);
  evilPort = await httpsUpstream('evil.example.com', false);
  s = await startGatewayStack({
    names: { 'secure.example.com': '127.0.0.1', 'evil.example.com': '127.0.0.1', 'pinned.example.com': '127.0.0.1' },
    gateway: {
      extraCaFile: join(dir, 'test-ca.pem'),
      timeouts: { handshake: '1s' },
      rules: [
        { name: 'Pinned app', action: 'doNotInspect', when: { host: { is: 'pinned.example.com' } } },
        { name: 'No admin', action: 'block', when: { and: [{ host: { is: 'secure.example.com' } }, { path: { matches: '^/admin' } }] } },
        { name: 'Local test upstreams', action: 'allow', when: { destinationIp: { is: '127.0.0.1' } } },
      ],
    },
  });
  auth = (await s.createCredential(await s.signIn('alice@contoso.com'))).auth;
  const download = await s.authGet('/gateway/ca.crt');
  assert.equal(download.status, 200);
  gatewayCa = download.body;
});
after(async () => {
  await s.close();
  for (const srv of servers) srv.close();
  rmSync(dir, { recursive: true, force: true });
});

const connectTunnel = (target: string) => rawTunnel(s.gwPort, auth, target);
const httpsGet = (target: string, host: string, path: string, ca: string) => tunnelGet(s.gwPort, auth, target, host, path, ca);

test('an inspected HTTPS request reaches the upstream with a gateway-minted certificate and HTTP/1.1', async () => {
  const r = await httpsGet(`secure.example.com:${securePort}`, 'secure.example.com', '/docs?a=1', gatewayCa);
  assert.equal(r.issuer, 'Moatless Gateway CA');
  assert.equal(r.alpn, 'http/1.1');
  assert.match(r.text, /^HTTP\/1\.1 200 /);
  assert.match(r.text, /upstream secure\.example\.com GET \/docs\?a=1/);
});

test('HTTP-stage rules see the decrypted path: /admin gets the block page', async () => {
  const r = await httpsGet(`secure.example.com:${securePort}`, 'secure.example.com', '/admin/users', gatewayCa);
  assert.match(r.text, /^HTTP\/1\.1 403 /);
  assert.match(r.text, /Blocked by your organisation/);
});

test('an upstream whose certificate is not trusted gets the block page, not a connection', async () => {
  const r = await httpsGet(`evil.example.com:${evilPort}`, 'evil.example.com', '/', gatewayCa);
  assert.match(r.text, /^HTTP\/1\.1 403 /);
  assert.match(r.text, /Blocked by your organisation/);
  assert.match(r.text, /certificate that cannot be trusted/);
});

test('an https:// absolute-form request: the gateway speaks verified TLS to the origin itself', async () => {
  const ok = await s.proxy('GET', `https://secure.example.com:${securePort}/abs?x=1`, { 'proxy-authorization': auth });
  assert.equal(ok.status, 200);
  assert.match(ok.body, /upstream secure\.example\.com GET \/abs\?x=1/);
  const untrusted = await s.proxy('GET', `https://evil.example.com:${evilPort}/`, { 'proxy-authorization': auth, accept: 'text/html' });
  assert.equal(untrusted.status, 403);
  assert.match(untrusted.body, /certificate that cannot be trusted/);
});

test('Do Not Inspect: the tunnel is end to end and the client sees the upstream\'s own certificate', async () => {
  const r = await httpsGet(`pinned.example.com:${pinnedPort}`, 'pinned.example.com', '/x', testCaPem);
  assert.equal(r.issuer, 'Test Upstream CA');
  assert.match(r.text, /upstream pinned\.example\.com GET \/x/);
});

test('a client that never finishes its TLS handshake is disconnected; others are served meanwhile', async () => {
  const sock = await connectTunnel(`secure.example.com:${securePort}`);
  const closed = new Promise<number>((r) => { const t0 = Date.now(); sock.on('close', () => r(Date.now() - t0)); });
  sock.write(Buffer.from([0x16, 0x03, 0x01]));
  const other = await httpsGet(`secure.example.com:${securePort}`, 'secure.example.com', '/ok', gatewayCa);
  assert.match(other.text, /^HTTP\/1\.1 200 /);
  const ms = await closed;
  assert.ok(ms < 5000, `closed after ${ms} ms`);
});

test('a request whose Host differs from the tunnel\'s host is refused (no domain fronting)', async () => {
  const sock = await connectTunnel(`secure.example.com:${securePort}`);
  const text = await new Promise<string>((resolve, reject) => {
    const t = tls.connect({ socket: sock, servername: 'secure.example.com', ca: gatewayCa }, () => {
      t.write('GET / HTTP/1.1\r\nHost: evil.example.com\r\nConnection: close\r\n\r\n');
      let out = '';
      t.on('data', (c: Buffer) => { out += c.toString(); });
      t.on('end', () => resolve(out));
    });
    t.on('error', reject);
  });
  assert.match(text, /^HTTP\/1\.1 400 /);
});

test('a decrypted path that looks like another authority stays a path on the tunnel\'s host', async () => {
  // Resolved against the tunnel's origin, `//evil.example.com/x` (or `/\\evil…`) would name another host.
  for (const path of ['//evil.example.com/x', '/\\evil.example.com/x']) {
    const r = await httpsGet(`secure.example.com:${securePort}`, 'secure.example.com', path, gatewayCa);
    assert.match(r.text, /^HTTP\/1\.1 200 /, path);
    assert.match(r.text, /upstream secure\.example\.com GET \/\/evil\.example\.com\/x/, path);
  }
});

/** Writes `raw` inside an inspected tunnel to secure.example.com and reads until the gateway closes. */
async function rawInTunnel(raw: string): Promise<string> {
  const sock = await connectTunnel(`secure.example.com:${securePort}`);
  return new Promise<string>((resolve, reject) => {
    const t = tls.connect({ socket: sock, servername: 'secure.example.com', ca: gatewayCa }, () => t.write(raw));
    let out = '';
    t.on('data', (c: Buffer) => { out += c.toString('latin1'); });
    t.on('close', () => resolve(out));
    t.on('error', reject);
  });
}

test('inside an inspected tunnel, smuggling-shaped requests get 400 and a closed connection; the origin never sees them', async () => {
  const host = `secure.example.com:${securePort}`;
  for (const [what, raw] of [
    ['CL+TE', `POST /smuggle-a HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: ${host}\r\n\r\n`],
    ['duplicate CL', `POST /smuggle-b HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 1\r\nContent-Length: 40\r\n\r\nx`],
    ['two Host fields', `GET /smuggle-c HTTP/1.1\r\nHost: ${host}\r\nHost: evil.example.com\r\n\r\n`],
  ]) {
    const text = await rawInTunnel(raw!);
    assert.match(text, /^HTTP\/1\.1 400 Bad Request\r\nconnection: close\r\n/, what);
  }
  assert.deepEqual(seen.filter((r) => /smuggl/.test(r)), []);
});

test('pipelined requests inside a tunnel are decided one by one and answered in order (a blocked one between two allowed)', async () => {
  const host = `secure.example.com:${securePort}`;
  const text = await rawInTunnel(`GET /one HTTP/1.1\r\nHost: ${host}\r\n\r\nGET /admin/x HTTP/1.1\r\nHost: ${host}\r\n\r\nGET /three HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1]);
  assert.deepEqual(statuses, ['200', '403', '200']);
  assert.ok(text.indexOf('GET /one') < text.indexOf('Blocked by your organisation'));
  assert.ok(text.indexOf('Blocked by your organisation') < text.indexOf('GET /three'));
});

test('large responses inside a tunnel stream whole, with the origin\'s length or chunked', async () => {
  for (const path of ['/big-length', '/big-chunked']) {
    const r = await httpsGet(`secure.example.com:${securePort}`, 'secure.example.com', path, gatewayCa);
    const [head, ...rest] = r.text.split('\r\n\r\n');
    const body = rest.join('\r\n\r\n');
    assert.match(head!, /^HTTP\/1\.1 200 /, path);
    if (path === '/big-length') {
      assert.match(head!, /content-length: 300000/i);
      assert.ok(body === 'abcdefghij'.repeat(30_000), `${body.length} bytes, ends ${JSON.stringify(body.slice(-20))}`);
    } else {
      assert.match(head!, /transfer-encoding: chunked/i);
      let decoded = '';
      let at = 0;
      for (;;) {
        const eol = body.indexOf('\r\n', at);
        const size = parseInt(body.slice(at, eol), 16);
        if (size === 0) break;
        decoded += body.slice(eol + 2, eol + 2 + size);
        at = eol + 2 + size + 2;
      }
      assert.ok(decoded === 'abcdefghij'.repeat(30_000), `${decoded.length} bytes decoded`);
    }
  }
});

test('decrypted requests are logged with their full URL', async () => {
  const rows = await s.logRows(100);
  assert.ok(rows.some((r) => r.url === `https://secure.example.com:${securePort}/docs?a=1` && r.status === 200 && r.action === 'allow'));
  assert.ok(rows.some((r) => r.url.endsWith('/admin/users') && r.action === 'block' && r.policy === 'No admin'));
});
