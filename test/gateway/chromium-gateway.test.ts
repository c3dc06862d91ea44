// A real Chromium through the gateway (--proxy-server, proxy credentials, trusting Moatless's CA by
// its SPKI hash): a low-risk user reaches app1 over HTTPS, a high-risk user is sent to the viewer,
// a blocked domain shows the block page, a loopback address is refused, and all of it is in the
// gateway log. Chromium reaches nothing but the gateway and the auth host on loopback; the gateway's
// resolver maps the test names without DNS. (169.254.169.254 is covered by egress-netns.test.ts.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createLeaf, createRootCa, newKeys, privateKeyPem } from '../../src/gateway/certificates.ts';
import { startGatewayStack, type GatewayStack } from './harness.ts';

const RISKY = 'IdentityProtection-RiskyUser-RiskLevel-high';
let s: GatewayStack;
let site: Server;
let port: number;
const dir = mkdtempSync(join(tmpdir(), 'moatless-gwchrome-'));
const browsers: Browser[] = [];

before(async () => {
  const ca = await createRootCa('CN=Test Sites CA', Date.now());
  const keys = await newKeys();
  // One upstream serves every test site (SAN per host is not needed: one leaf per name would do too).
  const certs = await Promise.all(['app1.example.com', 'blocked.example.com'].map(async (h) => ({ h, cert: (await createLeaf(ca, h, keys.publicKey, Date.now())).toString('pem') })));
  const key = await privateKeyPem(keys.privateKey);
  const { createSecureContext } = await import('node:tls');
  site = createServer({ key, cert: certs[0]!.cert, SNICallback: (name, cb) => cb(null, createSecureContext({ key, cert: (certs.find((c) => c.h === name) ?? certs[0]!).cert })) }, (req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<title>${req.headers.host}</title><h1>Hello from ${req.headers.host}</h1>`);
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', () => r()));
  port = (site.address() as { port: number }).port;
  writeFileSync(join(dir, 'sites-ca.pem'), ca.cert.toString('pem'));
  s = await startGatewayStack({
    gateway: {
      extraCaFile: join(dir, 'sites-ca.pem'),
      rules: [
        { name: 'Isolate risky users', action: 'isolate', when: { and: [{ domain: { in: ['app1.example.com', 'app2.example.com'] } }, { userGroupNames: { in: [RISKY] } }] } },
        { name: 'Blocked site', action: 'block', when: { domain: { is: 'blocked.example.com' } } },
        { name: 'Test sites on loopback', action: 'allow', when: { and: [{ domain: { in: ['example.com'] } }, { destinationIp: { is: '127.0.0.1' } }] } },
      ],
    },
  });
});
after(async () => {
  for (const b of browsers) await b.close();
  await s.close();
  site.close();
  rmSync(dir, { recursive: true, force: true });
});

async function browserFor(email: string, groups: string[]): Promise<Browser> {
  const cred = await s.createCredential(await s.signIn(email, groups));
  const args = [
    `--ignore-certificate-errors-spki-list=${s.moatless.gateway!.caSpkiHash}`,
    // Loopback targets go through the proxy too (Chromium bypasses them by default); the auth host is direct, as in the PAC file.
    '--proxy-bypass-list=<-loopback>;auth.localtest.me',
    '--host-resolver-rules=MAP auth.localtest.me 127.0.0.1',
    '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-gpu',
  ];
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  const b = await chromium.launch({
    executablePath: process.env['MOATLESS_CHROMIUM'] ?? '/usr/bin/chromium', headless: true, args,
    proxy: { server: `http://127.0.0.1:${s.gwPort}`, username: cred.id, password: cred.secret },
  });
  browsers.push(b);
  return b;
}

test('Chromium through the gateway: allow, isolate, block, refused loopback, all logged', async () => {
  const alice = await (await browserFor('alice@contoso.com', ['Staff'])).newPage();
  const ok = await alice.goto(`https://app1.example.com:${port}/`);
  assert.equal(ok?.status(), 200);
  assert.equal(await alice.textContent('h1'), `Hello from app1.example.com:${port}`);

  const blocked = await alice.goto(`https://blocked.example.com:${port}/`);
  assert.equal(blocked?.status(), 403);
  assert.match(await alice.content(), /Blocked by your organisation/);

  const loop = await alice.goto(`http://127.0.0.1:${s.upstream.port}/`);
  assert.equal(loop?.status(), 403);
  assert.match(await alice.content(), /does not connect to this address/);

  s.directory.set('bob@contoso.com', { groups: [RISKY], riskLevel: 'high', active: true });
  const bob = await (await browserFor('bob@contoso.com', ['Staff'])).newPage();
  await bob.goto(`https://app1.example.com:${port}/`).catch(() => null);
  assert.equal(bob.url().startsWith(`http://${s.authHost}/browser/https://app1.example.com:${port}/`), true, bob.url());

  const rows = await s.logRows(200);
  assert.ok(rows.some((r) => r.email === 'alice@contoso.com' && r.action === 'allow' && r.status === 200 && r.url === `https://app1.example.com:${port}/`));
  assert.ok(rows.some((r) => r.email === 'alice@contoso.com' && r.action === 'block' && r.policy === 'Blocked site'));
  assert.ok(rows.some((r) => r.email === 'alice@contoso.com' && r.reasons.some((x) => x.startsWith('egress.refused'))));
  assert.ok(rows.some((r) => r.email === 'bob@contoso.com' && r.action === 'isolate' && r.isolation === 'redirected'));
});
