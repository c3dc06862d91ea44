// `moatless scim|admin|tunnel token revoke --name NAME` against the store: each revokes every
// unrevoked token of that name (an already revoked one and other names are left alone) and says so
// in one style; a name with no live token is exit 1 with one message. The same helper serves
// `--url` (remote-cli.test.ts, remote-cli-writes.test.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createAdminToken } from '../../src/admin/index.ts';
import { revokeNamed } from '../../src/cli/token-revoke.ts';
import { createScimToken } from '../../src/directory/scim-tokens.ts';
import { createTunnelToken } from '../../src/tunnel/index.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/ports.ts';
import { runMoatless } from '../harness/processes.ts';

const DAY = 86_400_000;
let dir: string;
let config: string;
const db = () => join(dir, 'db.sqlite');

async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore({ kind: 'sqlite', path: db() });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'moatless-token-revoke-'));
  config = join(dir, 'moatless.yaml');
  // The token commands need only the store.
  writeFileSync(config, stringify({ server: { authUrl: 'https://auth.example.com' }, storage: { kind: 'sqlite', path: db() } }));
  await withStore(async (store) => {
    const now = Date.now();
    for (const name of ['entra', 'entra', 'other']) await createScimToken(store, { name, directoryName: 'default', now });
    for (const name of ['ci', 'other']) await createAdminToken(store, { name, scope: 'read', expiresInMs: DAY, now });
    for (const name of ['vm1', 'other']) await createTunnelToken(store, { name, tunnel: 'intranet', now });
  });
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('revokeNamed revokes the unrevoked tokens of one name only, and counts what it revoked', async () => {
  await withStore(async (store) => {
    const now = Date.now();
    const { record } = await createScimToken(store, { name: 'gone', directoryName: 'default', now });
    await store.directory.tokens.revoke(record.id, now);
    await createScimToken(store, { name: 'gone', directoryName: 'default', now });
    assert.equal(await revokeNamed(store.directory.tokens, 'gone', now), 1, 'the revoked one is not counted again');
    assert.equal(await revokeNamed(store.directory.tokens, 'gone', now), 0);
    assert.ok((await store.directory.tokens.list()).some((t) => t.name === 'other' && t.revokedAt === null), 'other names are untouched');
  });
});

for (const [kind, name, noun, effect, live] of [
  ['scim', 'entra', 'SCIM token', 'SCIM requests with it now get 401', 2],
  ['admin', 'ci', 'admin token', 'calls with it now get 401', 1],
  ['tunnel', 'vm1', 'tunnel token', 'their connectors are disconnected on every replica', 1],
] as const) {
  test(`${kind} token revoke: every live "${name}" revoked in one message; again is exit 1 "no live ${noun}"`, async () => {
    const done = await runMoatless([kind, 'token', 'revoke', '--name', name, '--config', config]);
    assert.equal(done.code, 0, done.stderr);
    assert.equal(done.stdout, `revoked ${live} ${noun}(s) named "${name}"; ${effect}\n`);
    const again = await runMoatless([kind, 'token', 'revoke', '--name', name, '--config', config]);
    assert.equal(again.code, 1);
    assert.ok(again.stderr.split('\n').includes(`no live ${noun} named "${name}"`), again.stderr);
    const rows = await withStore(async (store) => (kind === 'scim' ? store.directory.tokens : kind === 'admin' ? store.admin.tokens : store.tunnels.tokens).list());
    assert.deepEqual(rows.filter((t) => t.revokedAt === null).map((t) => t.name).filter((n) => n !== 'gone'), ['other'], 'only the named tokens were revoked');
  });
}
