// Foundation issue, item 8: two `moatless serve` processes share PostgreSQL; `moatless sessions
// revoke --user` in a third process makes both deny the user within one second (LISTEN/NOTIFY),
// although each replica had the session in its cache.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { openStore } from '../../src/store/open-store.ts';
import { SessionService } from '../../src/identity/sessions.ts';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream.ts';
import { TestBrowser } from '../harness/http-client.ts';
import { freePort } from '../harness/ports.ts';
import { freshSchema } from '../harness/postgres.ts';
import { runMoatless, startMoatlessProcess, type Child } from '../harness/processes.ts';

let dir: string;
let upstream: FakeUpstream;
let pgSchema: Awaited<ReturnType<typeof freshSchema>>;
const replicas: Child[] = [];
const ports: number[] = [];
let configPath: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'moatless-replicas-'));
  upstream = await startFakeUpstream();
  pgSchema = await freshSchema();
  for (let i = 0; i < 2; i++) ports.push(await freePort());
  const config = (port: number) => ({
    server: { listeners: [{ address: `127.0.0.1:${port}` }], authUrl: 'http://auth.localtest.me:8080', shutdownGrace: '1s' },
    identityProviders: [{ id: 'entra', type: 'entra', tenantId: '5f1c2e7a-3b4d-4c8e-9a61-0d2b7f3e8c41', clientId: '8a3e6d2c-1f47-4b9a-b5e0-6c2d9f1a7e34', clientSecret: 'x', authorityUrl: 'http://127.0.0.1:9' }],
    apps: [{ id: 'wiki', hosts: ['wiki.localtest.me'], upstream: upstream.url, policies: [{ name: 'all-signed-in', action: 'allow', include: [{ emailDomain: 'contoso.com' }] }] }],
    storage: { kind: 'postgres', url: { env: 'MOATLESS_TEST_DB' }, schema: pgSchema.schema },
    logging: { level: 'warn', accessLog: false },
  });
  ports.forEach((p, i) => writeFileSync(join(dir, `replica-${i}.yaml`), stringify(config(p))));
  configPath = join(dir, 'replica-0.yaml');
  for (let i = 0; i < 2; i++) replicas.push(await startMoatlessProcess(['serve', '--config', join(dir, `replica-${i}.yaml`), '--no-watch'], /listening on/, { MOATLESS_TEST_DB: pgSchema.url }));
});

after(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await upstream?.close();
  await pgSchema?.drop();
  rmSync(dir, { recursive: true, force: true });
});

test('a revocation from the CLI reaches both replicas within one second', async (t) => {
  const store = await openStore({ kind: 'postgres', url: pgSchema.url, schema: pgSchema.schema });
  const sessions = new SessionService({ store, now: Date.now, cacheTtlMs: 30_000 });
  const identity = { userKey: 't:bob', email: 'bob@contoso.com', idp: 'entra', groups: [], groupNames: [], amr: [], acrs: [], claims: {} };
  const g = await sessions.createGlobal({ identity, durationMs: 3_600_000, ip: null, userAgent: null });
  const a = await sessions.createApp(g.record, 'wiki', 3_600_000, identity, null, null);
  sessions.close();
  await store.close();

  const browsers = ports.map((p) => new TestBrowser(new Map([[`wiki.localtest.me:${p}`, p]])));
  browsers.forEach((b) => b.jar.set('wiki.localtest.me', new Map([['moatless_session', a.secret]])));
  const status = (i: number) => browsers[i]!.get(`http://wiki.localtest.me:${ports[i]}/`).then((r) => r.status);
  // Both replicas now hold the session in their cache (30 s TTL), so only a notification can stop them.
  assert.deepEqual([await status(0), await status(1)], [200, 200]);

  const cli = await runMoatless(['sessions', 'revoke', '--user', 'bob@contoso.com', '--config', configPath], { MOATLESS_TEST_DB: pgSchema.url });
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /revoked 2 session/);
  const revokedAt = Date.now();
  const deniedAfter: number[] = [];
  for (let i = 0; i < 2; i++) {
    while ((await status(i)) === 200) {
      assert.ok(Date.now() - revokedAt < 1000, `replica ${i} still allows the revoked session after 1 s`);
      await new Promise((r) => setTimeout(r, 10));
    }
    deniedAfter.push(Date.now() - revokedAt);
  }
  t.diagnostic(`replicas denied after ${deniedAfter.join(' ms, ')} ms`);
  assert.equal(await status(0), 302, 'revoked user is sent to sign in again');
  assert.equal(await status(1), 302);
});
