// An HTTPS listener from certificate files: the proxy serves TLS end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, sessionFor } from '../harness/stack.ts';
import { freePort } from '../harness/ports.ts';

test('HTTPS listener serves the app, signs in through the https auth host and tells the origin the scheme', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moatless-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localtest.me',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const port = await freePort();
  const s = await startStack({ extra: { server: { listeners: [{ address: `127.0.0.1:${port}`, tls: { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') } }], authUrl: `https://auth.localtest.me:${port}`, shutdownGrace: '1s' } } });
  try {
    const secret = await sessionFor(s, 'alice@contoso.com', 'wiki');
    const get = (path: string, cookie?: string) => new Promise<{ status: number; headers: Record<string, unknown> }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, servername: 'wiki.localtest.me', rejectUnauthorized: false, headers: { host: `wiki.localtest.me:${port}`, ...(cookie ? { cookie } : {}) } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal((await get('/', `__Host-moatless_session=${secret}`)).status, 200);
    // Over HTTPS the session cookie carries the __Host- prefix, so a sibling subdomain cannot
    // plant a same-named one; the unprefixed name is not a session here.
    assert.equal((await get('/', `moatless_session=${secret}`)).status, 302);
    assert.equal(s.wiki.seen.at(-1)?.headers.cookie, undefined, 'the session cookie never reaches the origin');
    const anon = await get('/');
    assert.equal(anon.status, 302);
    assert.match(String(anon.headers.location), new RegExp(`^https://auth\\.localtest\\.me:${port}/oauth2/start`));
    assert.equal(s.wiki.seen.at(-1)?.headers['x-forwarded-proto'], 'https');
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a client that opens a TLS connection and never finishes the handshake is cut after timeouts.headers, not TLS\'s default 120 s', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moatless-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localtest.me',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const port = await freePort();
  const s = await startStack({ extra: { server: { listeners: [{ address: `127.0.0.1:${port}`, tls: { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') } }], authUrl: `https://auth.localtest.me:${port}`, shutdownGrace: '1s', timeouts: { headers: '1s' } } } });
  try {
    const started = Date.now();
    const closedAfter = await new Promise<number>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', reject);
      socket.on('close', () => resolve(Date.now() - started));
      // Half a ClientHello's worth of nothing: the server waits for the rest.
      socket.write(Buffer.from([0x16, 0x03, 0x01]));
      setTimeout(() => { socket.destroy(); reject(new Error('still open after 10 s')); }, 10_000).unref();
    });
    assert.ok(closedAfter >= 900 && closedAfter < 5_000, `closed after ${closedAfter} ms`);
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
