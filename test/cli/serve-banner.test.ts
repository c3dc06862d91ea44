// `moatless serve`'s start banner lists every app it serves: the file's and those created through
// the admin API (kept in the store). The cluster primary's banner: test/cli/cluster.test.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { openStore } from '../../src/store/open-store.ts';
import { freePort } from '../harness/ports.ts';
import { startMoatlessProcess } from '../harness/processes.ts';

let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'moatless-banner-'));
  const store = await openStore({ kind: 'sqlite', path: join(dir, 'moatless.db') });
  await store.admin.configObjects.create({
    kind: 'app', id: 'crm', body: { id: 'crm', hosts: ['crm.localtest.me'], upstream: 'http://127.0.0.1:9' }, createdAt: Date.now(), createdBy: 'test',
  });
  await store.close();
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function bannerOf(): Promise<string> {
  const port = await freePort();
  const path = join(dir, 'moatless.yaml');
  writeFileSync(path, stringify({
    server: { listeners: [{ address: `127.0.0.1:${port}` }], authUrl: `http://auth.localtest.me:${port}`, shutdownGrace: '1s' },
    identityProviders: [{ id: 'idp', type: 'oidc', issuer: 'http://127.0.0.1:9', clientId: 'c', clientSecret: 'x' }],
    apps: [{ id: 'wiki', hosts: ['wiki.localtest.me'], upstream: 'http://127.0.0.1:9', policies: [{ name: 'all', action: 'allow', include: [{ everyone: true }] }] }],
    storage: { kind: 'sqlite', path: join(dir, 'moatless.db') },
    logging: { level: 'warn', accessLog: false },
  }));
  const child = await startMoatlessProcess(['serve', '--config', path, '--no-watch'], /moatless: app crm .*\n/, {}, 90_000);
  await child.stop();
  return child.output();
}

test('the banner lists the file\'s apps and the admin API\'s apps (marked as such)', async () => {
  const out = await bannerOf();
  assert.match(out, /moatless: app wiki\s+http:\/\/wiki\.localtest\.me:\d+\/\n/);
  assert.match(out, /moatless: app crm\s+http:\/\/crm\.localtest\.me:\d+\/\s+\(admin API\)\n/);
});
