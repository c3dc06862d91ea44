// Directory issue, bad input: a crash during writes loses no acknowledged change. A real
// `moatless serve` on SQLite takes SCIM creates until it is killed with SIGKILL mid-stream; after a
// restart every user that got a 201 is there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../harness/ports.ts';
import { runMoatless, startMoatlessProcess } from '../harness/processes.ts';

function scim(port: number, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request({ host: '127.0.0.1', port, method, path: `/scim/v2${path}`, headers: { host: `127.0.0.1:${port}`, authorization: `Bearer ${token}`, 'content-type': 'application/scim+json', ...(data ? { 'content-length': Buffer.byteLength(data) } : {}) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
}

test('every acknowledged SCIM create survives a SIGKILL of the server', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moatless-crash-'));
  const port = await freePort();
  const config = join(dir, 'moatless.yaml');
  writeFileSync(config, `server: { listeners: [{ address: "127.0.0.1:${port}" }], authUrl: "http://127.0.0.1:${port}" }\nstorage: { kind: sqlite, path: ${join(dir, 'db.sqlite')} }\nlogging: { level: fatal, accessLog: false }\n`);
  const created = await runMoatless(['scim', 'token', 'create', '--name', 'entra', '--config', config]);
  assert.equal(created.code, 0, created.stderr);
  const token = created.stdout.trim().split('\n')[0]!;
  let server = await startMoatlessProcess(['serve', '--config', config, '--no-watch'], /listening on/);
  const acknowledged: string[] = [];
  let stop = false;
  const writers = Array.from({ length: 8 }, async (_, w) => {
    for (let i = 0; !stop; i++) {
      const userName = `user-${w}-${i}@contoso.com`;
      try {
        const r = await scim(port, token, 'POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, active: true });
        if (r.status === 201) acknowledged.push(userName);
      } catch {
        return; // the server died under us: this request was never acknowledged
      }
    }
  });
  while (acknowledged.length < 200) await new Promise((r) => setTimeout(r, 10));
  server.proc.kill('SIGKILL');
  stop = true;
  await Promise.all(writers);
  await new Promise((r) => server.proc.exitCode !== null ? r(null) : server.proc.once('exit', r));

  server = await startMoatlessProcess(['serve', '--config', config, '--no-watch'], /listening on/);
  try {
    const missing: string[] = [];
    for (const userName of acknowledged) {
      const r = await scim(port, token, 'GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
      if ((JSON.parse(r.body) as { totalResults: number }).totalResults !== 1) missing.push(userName);
    }
    assert.deepEqual(missing, [], `${missing.length} of ${acknowledged.length} acknowledged users were lost`);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
