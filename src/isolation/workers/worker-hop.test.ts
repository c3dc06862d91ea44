// The hop between an auth host and an isolation worker over TLS, with real sockets: the worker's
// listener with a certificate from a test CA, and the auth host's dialer trusting that CA. A relayed
// request with the proof gets through; without it, 401 before any handler runs; a dialer that does
// not trust the worker's CA never connects (no cookie would leave the auth host).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { createLeaf, createRootCa, newKeys, privateKeyPem } from '../../gateway/certificates.ts';
import { HOP_HEADER, WorkerHop } from './worker-hop.ts';
import { listenForAuthHosts } from './worker-listener.ts';

const SECRET = 'a-shared-secret-of-at-least-32-characters!';

/** Sends one raw GET over `socket` and reads the status line. */
function statusOver(socket: Duplex, path: string, extra: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.on('data', (c: Buffer) => {
      text += c.toString();
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (m) { socket.destroy(); resolve(Number(m[1])); }
    });
    socket.once('error', reject);
    const headers = Object.entries({ host: 'auth.example', connection: 'close', ...extra }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.write(`GET ${path} HTTP/1.1\r\n${headers}\r\n`);
  });
}

test('over TLS, the auth host reaches the worker with the proof; without it 401; an untrusted certificate is never talked to', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moatless-hop-tls-'));
  const now = Date.now();
  const ca = await createRootCa('CN=Worker CA', now);
  const keys = await newKeys();
  writeFileSync(join(dir, 'worker.crt'), (await createLeaf(ca, '127.0.0.1', keys.publicKey, now)).toString('pem'));
  writeFileSync(join(dir, 'worker.key'), await privateKeyPem(keys.privateKey));
  const served: string[] = [];
  const { server, port } = await listenForAuthHosts({
    host: '127.0.0.1', port: 0, secret: SECRET, name: 'rbi-1', tls: { certFile: 'worker.crt', keyFile: 'worker.key' }, baseDir: dir, logger: { warn: () => {} },
  }, {
    request: (req, res) => { served.push(req.url ?? ''); res.writeHead(200, { 'content-length': '0' }).end(); },
    upgrade: (_req, socket) => socket.destroy(),
  });
  try {
    const worker = { worker: 'rbi-1', host: '127.0.0.1', port, tls: true };
    const hop = new WorkerHop({ secret: SECRET, ca: Buffer.from(ca.cert.toString('pem')) });
    const path = `/isolation/download/${'a'.repeat(32)}`;
    assert.equal(await statusOver(await hop.connect(worker), path, { [HOP_HEADER]: hop.sign('rbi-1', 'GET', path) }), 200);
    assert.equal(await statusOver(await hop.connect(worker), path, {}), 401, 'no proof');
    assert.deepEqual(served, [path], 'only the proven request reached the handler');
    const other = await createRootCa('CN=Some other CA', now);
    const untrusting = new WorkerHop({ secret: SECRET, ca: Buffer.from(other.cert.toString('pem')) });
    await assert.rejects(untrusting.connect(worker), /certificate/i);
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
