// Cloudflare's per-rule "untrusted certificate action", end to end through an inspected tunnel to
// a real HTTPS origin presenting a self-signed certificate: block (the default: the block page),
// passThrough (the request reaches it), error (an error page, not the block page); and a
// connection made without verification is never reused for a request that must verify.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import { createRootCa, privateKeyPem } from '../../src/gateway/certificates.ts';
import { startGatewayStack, type GatewayStack } from './harness.ts';
import { httpsGet } from './tunnel-client.ts';

let s: GatewayStack;
let auth: string;
let gatewayCa: string;
let port: number;
let server: Server;
const names = ['lab.example.com', 'legacy.example.com', 'plain.example.com'];

before(async () => {
  // Self-signed: the certificate is its own issuer, trusted by nothing.
  const self = await createRootCa('CN=self-signed.example', Date.now());
  server = createServer({ key: await privateKeyPem(self.keys.privateKey), cert: self.cert.toString('pem') }, (req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`self-signed origin ${req.method} ${req.url}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as { port: number }).port;
  const loopback = { destinationIp: { is: '127.0.0.1' } };
  s = await startGatewayStack({
    names: Object.fromEntries(names.map((n) => [n, '127.0.0.1'])),
    gateway: {
      rules: [
        { name: 'Lab pass-through', action: 'allow', untrustedCertificate: 'passThrough', when: { and: [{ host: { is: 'lab.example.com' } }, { path: { matches: '^/pass' } }, loopback] } },
        { name: 'Legacy error', action: 'allow', untrustedCertificate: 'error', when: { and: [{ host: { is: 'legacy.example.com' } }, loopback] } },
        { name: 'Loopback', action: 'allow', when: loopback },
      ],
    },
  });
  auth = (await s.createCredential(await s.signIn('alice@contoso.com'))).auth;
  gatewayCa = (await s.authGet('/gateway/ca.crt')).body;
});
after(async () => {
  await s.close();
  server.close();
});

const get = (host: string, path: string) => httpsGet(s.gwPort, auth, `${host}:${port}`, host, path, gatewayCa);

test('untrusted certificate, default (block): the block page, and the request never reaches the origin', async () => {
  const r = await get('plain.example.com', '/x');
  assert.match(r.text, /^HTTP\/1\.1 403 /);
  assert.match(r.text, /Blocked by your organisation/);
  assert.match(r.text, /certificate that cannot be trusted/);
  assert.doesNotMatch(r.text, /self-signed origin/);
});

test('untrusted certificate: passThrough reaches the self-signed origin', async () => {
  const r = await get('lab.example.com', '/pass/1');
  assert.match(r.text, /^HTTP\/1\.1 200 /);
  assert.match(r.text, /self-signed origin GET \/pass\/1/);
});

test('a connection opened without verification is not reused for a request whose rule verifies', async () => {
  assert.match((await get('lab.example.com', '/pass/2')).text, /^HTTP\/1\.1 200 /);
  const r = await get('lab.example.com', '/other');
  assert.match(r.text, /^HTTP\/1\.1 403 /);
  assert.doesNotMatch(r.text, /self-signed origin/);
});

test('untrusted certificate: error gives an error page, not the block page', async () => {
  const r = await get('legacy.example.com', '/');
  assert.match(r.text, /^HTTP\/1\.1 502 /);
  assert.match(r.text, /Untrusted certificate/);
  assert.doesNotMatch(r.text, /Blocked by your organisation/);
});

test('the gateway log records the untrusted certificate as the reason', async () => {
  const rows = await s.logRows(100);
  const blocked = rows.find((r) => r.host === 'plain.example.com');
  assert.equal(blocked?.action, 'block');
  assert.ok(blocked?.reasons.some((x) => x.startsWith('upstream.untrusted_certificate')));
  assert.equal(rows.find((r) => r.url.endsWith('/pass/1'))?.status, 200);
});
