// The connector's trust in the edge (issue 15, item 4), against a real TLS edge on loopback whose
// certificate comes from a private CA: without `--ca-file` the edge is not trusted; with it the
// connector connects; `--pin-sha256` with the edge's public key connects, and a wrong pin refuses
// the edge even though its CA is trusted. A refused edge never gets the token (no connection row).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { parseArgs } from '../../src/cli/args.ts';
import { connectorOptions } from '../../src/cli/commands/connector.ts';
import { startConnector, type RunningConnector } from '../../src/tunnel/connector/index.ts';
import { createTunnelToken } from '../../src/tunnel/tokens.ts';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream.ts';
import { freePort } from '../harness/ports.ts';
import { sessionFor, startStack, type Stack } from '../harness/stack.ts';

let dir: string;
let s: Stack;
let origin: FakeUpstream;
let port: number;
let token: string;
let pin: string;
/** An in-process connector from the same flags `moatless connector` takes, with its log kept. */
interface Connector { c: RunningConnector; output: () => string }
const connectors: Connector[] = [];

function makeCertificates(): void {
  const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  ossl('req', '-x509', ...ec, '-days', '1', '-subj', '/CN=Moatless test tunnel CA', '-keyout', 'ca.key', '-out', 'ca.pem',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
  ossl('req', ...ec, '-subj', '/CN=auth.localtest.me', '-keyout', 'key.pem', '-out', 'edge.csr');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:auth.localtest.me,DNS:*.localtest.me\n');
  ossl('x509', '-req', '-in', 'edge.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-out', 'cert.pem', '-extfile', 'ext.cnf');
}

async function until(what: string, ok: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
async function connector(extra: string[]): Promise<Connector> {
  let log = '';
  const logger = pino({ level: 'warn' }, { write: (line: string) => void (log += line) });
  const args = parseArgs(['--edge', `https://auth.localtest.me:${port}`, '--edge-address', `127.0.0.1:${port}`,
    '--token', token, '--url', origin.url, '--connections', '1', '--metrics', '127.0.0.1:0', ...extra]);
  const running = { c: await startConnector(connectorOptions(args, logger)), output: () => log };
  connectors.push(running);
  return running;
}
const connected = async (c: Connector) => c.c.up() > 0;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'moatless-tunnel-tls-'));
  makeCertificates();
  // The pin: base64 SHA-256 of the edge certificate's SubjectPublicKeyInfo.
  const spki = new X509Certificate(readFileSync(join(dir, 'cert.pem'))).publicKey.export({ type: 'spki', format: 'der' });
  pin = createHash('sha256').update(spki).digest('base64');
  origin = await startFakeUpstream();
  port = await freePort();
  s = await startStack({
    port,
    apps: () => [{ id: 'priv', hosts: ['priv.localtest.me'], upstream: 'tunnel:priv', policies: [{ name: 'staff', action: 'allow', include: [{ group: ['Staff'] }] }] }],
    extra: { server: { listeners: [{ address: `127.0.0.1:${port}`, tls: { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') } }],
      authUrl: `https://auth.localtest.me:${port}`, shutdownGrace: '1s' } },
  });
  token = (await createTunnelToken(s.moatless.store, { name: 'tls', tunnel: 'priv', now: Date.now() })).token;
});

after(async () => {
  await Promise.all(connectors.map((c) => c.c.close()));
  await s?.close();
  await origin?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('an edge whose CA is not trusted, or whose key does not match the pin, is refused before the token is sent', async () => {
  const [untrusted, wrongPin] = await Promise.all([
    connector([]),
    connector(['--ca-file', join(dir, 'ca.pem'), '--pin-sha256', createHash('sha256').update('another key').digest('base64')]),
  ]);
  await until('both to report the refusal', async () =>
    /edge connection down/.test(untrusted.output()) && /edge connection down/.test(wrongPin.output()));
  assert.match(untrusted.output(), /unable to get local issuer certificate|unable to verify|self.signed/);
  assert.match(wrongPin.output(), /does not match --pin-sha256/);
  assert.equal(await connected(untrusted), false);
  assert.equal(await connected(wrongPin), false);
  assert.equal((await s.moatless.store.tunnels.connections.listSince(0)).length, 0, 'the edge never saw a connection');
});

test('with --ca-file the edge is trusted; with the right --pin-sha256 too; requests go through', async () => {
  const [caOnly, pinned] = await Promise.all([
    connector(['--ca-file', join(dir, 'ca.pem')]),
    connector(['--ca-file', join(dir, 'ca.pem'), '--pin-sha256', pin]),
  ]);
  await until('both connected', async () => (await connected(caOnly)) && (await connected(pinned)))
    .catch((err: Error) => { throw new Error(`${err.message}\n${caOnly.output()}\n${pinned.output()}`); });
  assert.equal((await s.moatless.store.tunnels.connections.listSince(0)).length, 2);
  assert.doesNotMatch(pinned.output(), /edge connection down/);
  const cookie = `__Host-moatless_session=${await sessionFor(s, 'alice@contoso.com', 'priv')}`;
  const status = await new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/over-tls', servername: 'priv.localtest.me', ca: readFileSync(join(dir, 'ca.pem')),
      headers: { host: `priv.localtest.me:${port}`, cookie } }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
    req.on('error', reject);
    req.end();
  });
  assert.equal(status, 200);
  assert.equal(origin.seen.at(-1)?.url, '/over-tls');
});
