// Ship issue: what `moatless serve` prints. A port already in use is one line naming the port and
// the key that moves it (exit 1, no stack trace); access-log lines are JSON when stdout is not a
// terminal, and short human lines with logging.format: pretty.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../harness/ports.ts';
import { runMoatless, startMoatlessProcess } from '../harness/processes.ts';

function config(dir: string, port: number, logging = ''): string {
  const file = join(dir, 'moatless.yaml');
  writeFileSync(file, `
server: { authUrl: "http://auth.localhost:${port}", listeners: [{ address: "127.0.0.1:${port}" }], shutdownGrace: 1s }
identityProviders:
  - { id: entra, type: entra, tenantId: 5f1c2e7a-3b4d-4c8e-9a61-0d2b7f3e8c41, clientId: 8a3e6d2c-1f47-4b9a-b5e0-6c2d9f1a7e34,
      clientSecret: x, authorityUrl: "http://127.0.0.1:9", graphUrl: "http://127.0.0.1:9" }
apps:
  - { id: wiki, hosts: [wiki.localhost], upstream: "http://127.0.0.1:9", policies: [{ name: p, action: allow, include: [{ loginMethod: entra }] }] }
storage: { kind: sqlite, path: moatless.db }
${logging}
`);
  return file;
}

test('a listener port already in use: one line naming the port and the key, exit 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moatless-port-'));
  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
  const port = (taken.address() as { port: number }).port;
  try {
    const file = config(dir, port);
    const r = await runMoatless(['serve', '--no-watch', '--config', file]);
    assert.equal(r.code, 1);
    const lines = r.stderr.split('\n').filter((l) => l && !l.startsWith('warning:'));
    assert.deepEqual(lines, [`moatless: port ${port} is already in use (127.0.0.1:${port}): stop what listens there or change server.listeners[0].address in ${file}`]);
    assert.doesNotMatch(r.stderr + r.stdout, /\n\s+at /, 'no stack trace');
  } finally {
    taken.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

async function accessLine(logging: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'moatless-log-'));
  const port = await freePort();
  const child = await startMoatlessProcess(['serve', '--no-watch', '--config', config(dir, port, logging)], /listening on/);
  try {
    // node:http, not fetch: fetch drops a Host header (and Node cannot resolve *.localhost here).
    const status = await new Promise<number>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/docs', headers: { host: `wiki.localhost:${port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).once('error', reject);
    });
    assert.equal(status, 302);
  } finally {
    await child.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return child.output().split('\n').find((l) => l.includes('/docs')) ?? '';
}

test('access log: JSON lines when stdout is not a terminal', async () => {
  const line = await accessLine('');
  const entry = JSON.parse(line);
  assert.equal(entry.type, 'access');
  assert.equal(entry.path, '/docs');
  assert.equal(entry.status, 302);
});

test('access log: logging.format pretty gives one short human line', async () => {
  const line = await accessLine('logging: { format: pretty }');
  assert.match(line, new RegExp(`^\\d\\d:\\d\\d:\\d\\d AUTHENTICATE - GET wiki\\.localhost/docs 302 [\\d.]+ms \\(`));
});
