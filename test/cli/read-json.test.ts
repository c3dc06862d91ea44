// Operate issue, item 7: every read command prints a table for people and, with --json, one JSON
// array for scripts; `moatless sessions list` shows who is signed in.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { SessionService } from '../../src/identity/sessions.ts';
import { openStore } from '../../src/store/open-store.ts';
import { runMoatless } from '../harness/processes.ts';

let dir: string;
let config: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'moatless-cli-json-'));
  config = join(dir, 'moatless.yaml');
  writeFileSync(config, stringify({
    server: { authUrl: 'https://auth.example.com' },
    identityProviders: [{ id: 'corp', type: 'oidc', issuer: 'https://idp.example.com', clientId: 'c', clientSecret: 's' }],
    apps: [{ id: 'wiki', hosts: ['wiki.example.com'], upstream: 'http://127.0.0.1:9', policies: [{ name: 'all', action: 'allow', include: [{ everyone: true }] }] }],
    storage: { kind: 'sqlite', path: join(dir, 'db.sqlite') },
  }));
  const store = await openStore({ kind: 'sqlite', path: join(dir, 'db.sqlite') });
  const sessions = new SessionService({ store, now: Date.now, cacheTtlMs: 0 });
  const identity = { userKey: 'corp|alice', email: 'alice@contoso.com', idp: 'corp', groups: [], groupNames: [], amr: [], acrs: [], claims: {} };
  const g = await sessions.createGlobal({ identity, durationMs: 3_600_000, ip: '192.0.2.7', userAgent: null });
  await sessions.createApp(g.record, 'wiki', 3_600_000, identity, '192.0.2.7', null);
  sessions.close();
  await store.close();
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('sessions list: a table of live sessions, and --json with one object per session', async () => {
  const table = await runMoatless(['sessions', 'list', '--config', config]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^USER\s+KIND\s+APP/m);
  assert.match(table.stdout, /alice@contoso\.com\s+app\s+wiki/);
  const json = await runMoatless(['sessions', 'list', '--user', 'alice@contoso.com', '--json', '--config', config]);
  assert.equal(json.code, 0, json.stderr);
  const rows = JSON.parse(json.stdout) as { email: string; kind: string; appId: string | null; ip: string; id: string }[];
  assert.deepEqual(rows.map((r) => r.kind).sort(), ['app', 'global']);
  assert.ok(rows.every((r) => r.email === 'alice@contoso.com' && r.ip === '192.0.2.7' && r.id.length === 12));
  const nobody = await runMoatless(['sessions', 'list', '--user', 'bob@contoso.com', '--json', '--config', config]);
  assert.deepEqual(JSON.parse(nobody.stdout), []);
});

test('scim users / groups / log and token lists answer --json with arrays, even when empty', async () => {
  for (const cmd of [['scim', 'users'], ['scim', 'groups'], ['scim', 'log'], ['scim', 'token', 'list'], ['admin', 'token', 'list'], ['tunnel', 'token', 'list']]) {
    const r = await runMoatless([...cmd, '--json', '--config', config]);
    assert.equal(r.code, 0, `${cmd.join(' ')}: ${r.stderr}`);
    assert.deepEqual(JSON.parse(r.stdout), [], cmd.join(' '));
  }
  const made = await runMoatless(['scim', 'token', 'create', '--name', 'entra', '--config', config]);
  assert.equal(made.code, 0, made.stderr);
  const tokens = JSON.parse((await runMoatless(['scim', 'token', 'list', '--json', '--config', config])).stdout) as { name: string; revokedAt: string | null }[];
  assert.deepEqual(tokens.map((t) => [t.name, t.revokedAt]), [['entra', null]]);
});
