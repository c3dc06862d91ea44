// Operate issue, item 7 (the rest): `scim directory set`, `tunnel token create|list|revoke`, `entra
// auth-contexts import` and `risk sync --once` also work against a running instance — `--url` plus
// MOATLESS_API_TOKEN, through /api/v1 — and print what they print against the store. A real
// `moatless serve` process on SQLite with the Entra emulator behind it; the CLI spawned as a real
// process; this test reads the same database file to check what changed. Writes need a write-scoped
// token and land in the audit log as that token; bad input gets a clear message.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdminToken } from '../../src/admin/index.ts';
import { getDirectorySettings } from '../../src/directory/directory-settings.ts';
import { createScimToken } from '../../src/directory/scim-tokens.ts';
import { listImportedAuthContexts } from '../../src/identity/entra/auth-contexts.ts';
import { startEntraEmulator, type EntraEmulator } from '../../src/dev/entra/index.ts';
import { takeCycleLease } from '../../src/risk/cycle-lease.ts';
import { EMPTY_HEALTH, writeHealth } from '../../src/risk/health.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { freePort } from '../harness/ports.ts';
import { runMoatless, startMoatlessProcess, type Child } from '../harness/processes.ts';
import { CLIENT_ID, FIXTURE } from '../harness/stack.ts';

const DAY = 86_400_000;
let dir: string;
let store: Store;
let serve: Child;
let emulator: EntraEmulator;
let url: string;
let readEnv: Record<string, string>;
let writeEnv: Record<string, string>;

before(async () => {
  emulator = await startEntraEmulator({ fixturePath: FIXTURE, port: 0, riskRequestsPerSecond: 0 });
  dir = mkdtempSync(join(tmpdir(), 'moatless-remote-writes-'));
  const db = join(dir, 'moatless.db');
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  writeFileSync(join(dir, 'moatless.yaml'), `
server: { listeners: [{ address: "127.0.0.1:${port}" }], authUrl: "${url}", shutdownGrace: 2s }
storage: { kind: sqlite, path: ${db} }
logging: { level: warn, accessLog: false }
identityProviders:
  - { id: entra, type: entra, tenantId: ${emulator.tenantId}, clientId: ${CLIENT_ID}, clientSecret: dev-secret-change-me, authorityUrl: "${emulator.url}", graphUrl: "${emulator.graphUrl}" }
risk: { identityProvider: entra, outputs: [entraGroups], interval: 1h }
`);
  store = await openStore({ kind: 'sqlite', path: db });
  const now = Date.now();
  readEnv = { MOATLESS_API_TOKEN: (await createAdminToken(store, { name: 'ro', scope: 'read', expiresInMs: DAY, now })).token };
  writeEnv = { MOATLESS_API_TOKEN: (await createAdminToken(store, { name: 'ops', scope: 'write', expiresInMs: DAY, now })).token };
  // The schedule's first tick sees a cycle attempted just now and waits an hour: the only cycles
  // are the ones the CLI starts through the API.
  await writeHealth(store.kv, { ...EMPTY_HEALTH, lastAttemptAt: now });
  serve = await startMoatlessProcess(['serve', '--config', join(dir, 'moatless.yaml'), '--no-watch'], /listening on/, {}, 60_000);
});
after(async () => {
  await serve?.stop();
  await store?.close();
  await emulator?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[], env = writeEnv) => runMoatless([...args, '--url', url], env);
const audited = async (action: string) => (await store.admin.audit.query({ limit: 50 })).filter((e) => e.action === action);

test('scim directory set --url changes the instance\'s directory setting, audited as the token; a read token is refused', async () => {
  const { directory } = await createScimToken(store, { name: 'entra', directoryName: 'contoso', now: Date.now() });
  const refused = await cli(['scim', 'directory', 'set', '--directory', 'contoso', '--deprovision-on-no-groups', 'on'], readEnv);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /read-only.*\[forbidden\]/);
  assert.equal((await getDirectorySettings(store.kv, directory.id)).deprovisionOnNoGroups, false, 'nothing changed');

  const on = await cli(['scim', 'directory', 'set', '--directory', 'contoso', '--deprovision-on-no-groups', 'on']);
  assert.equal(on.code, 0, on.stderr);
  assert.equal(on.stdout, 'directory "contoso": deprovisionOnNoGroups=true\n');
  assert.equal((await getDirectorySettings(store.kv, directory.id)).deprovisionOnNoGroups, true);
  const [entry] = await audited('directory.settings');
  assert.equal(entry?.actor, 'token:ops');
  assert.deepEqual([entry?.before, entry?.after], [{ deprovisionOnNoGroups: false }, { deprovisionOnNoGroups: true }]);

  const unknown = await cli(['scim', 'directory', 'set', '--directory', 'nope', '--deprovision-on-no-groups', 'off']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /directory "nope" not found \[not_found\]/);
});

test('tunnel token create/list/revoke --url: the token printed once, never listed, revoked through the API', async () => {
  const created = await cli(['tunnel', 'token', 'create', '--name', 'branch-1', '--tunnel', 'intranet']);
  assert.equal(created.code, 0, created.stderr);
  const token = created.stdout.trim();
  assert.match(token, /^mlt_[A-Za-z0-9_-]{43}$/);
  assert.match(created.stderr, /for tunnel "intranet" created.*shown only once/);
  const again = await cli(['tunnel', 'token', 'create', '--name', 'branch-1', '--tunnel', 'intranet']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /a live tunnel token named "branch-1" exists.*\[conflict\]/);

  const list = await cli(['tunnel', 'token', 'list', '--json'], readEnv);
  assert.equal(list.code, 0, list.stderr);
  assert.ok(!list.stdout.includes(token), 'never listed');
  assert.deepEqual((JSON.parse(list.stdout) as { name: string; tunnel: string; revokedAt: string | null }[]).map((t) => [t.name, t.tunnel, t.revokedAt]),
    [['branch-1', 'intranet', null]]);
  const table = await cli(['tunnel', 'token', 'list'], readEnv);
  assert.match(table.stdout, /^NAME\s+TUNNEL\s+CREATED\s+REVOKED\nbranch-1\s+intranet\s+\d{4}-/m);

  assert.equal((await cli(['tunnel', 'token', 'revoke', '--name', 'branch-1'], readEnv)).code, 1, 'a read token cannot revoke');
  const revoked = await cli(['tunnel', 'token', 'revoke', '--name', 'branch-1']);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.match(revoked.stdout, /revoked 1 tunnel token\(s\) named "branch-1"; their connectors are disconnected on every replica/);
  assert.notEqual((await store.tunnels.tokens.list())[0]?.revokedAt, null);
  const none = await cli(['tunnel', 'token', 'revoke', '--name', 'branch-1']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no live tunnel token named "branch-1"/);
  assert.deepEqual((await audited('tunnel-token.create')).map((e) => e.actor), ['token:ops']);
  assert.deepEqual((await audited('tunnel-token.revoke')).map((e) => e.actor), ['token:ops']);
  assert.ok(!JSON.stringify(await store.admin.audit.query({ limit: 50 })).includes(token), 'the token is never audited');
});

test('entra auth-contexts import --url: the server reads Graph with its own credential and keeps the list', async () => {
  const r = await cli(['entra', 'auth-contexts', 'import']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Imported \d+ authentication contexts? for identity provider entra:\n\s+c1\s+available/);
  assert.deepEqual((await listImportedAuthContexts(store.kv, 'entra')).map((c) => c.id).slice(0, 1), ['c1']);
  assert.equal((await audited('authContexts.import'))[0]?.actor, 'token:ops');
  const unknown = await cli(['entra', 'auth-contexts', 'import', '--idp', 'okta']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no Entra identity provider "okta" on the server/);
  assert.equal((await cli(['entra', 'auth-contexts', 'import'], readEnv)).code, 1, 'a read token cannot import');
});

test('risk sync --once --url: a dry run plans on the server and writes nothing; a real run creates the risk groups', async () => {
  const dry = await cli(['risk', 'sync', '--once', '--dry-run', '--json']);
  assert.equal(dry.code, 0, dry.stderr);
  const plan = JSON.parse(dry.stdout) as { dryRun: boolean; ok: boolean; transitions: { userPrincipalName: string; to: string }[] };
  assert.equal(plan.dryRun, true);
  assert.deepEqual(plan.transitions.map((t) => [t.userPrincipalName, t.to]), [['bob@contoso.com', 'high']]);
  assert.equal(emulator.directory.groups().some((g) => g.displayName.startsWith('IdentityProtection-')), false, 'a dry run creates nothing');

  assert.equal((await cli(['risk', 'sync', '--once'], readEnv)).code, 1, 'a read token cannot start a cycle');
  const run = await cli(['risk', 'sync', '--once']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /bob@contoso\.com\s+none\s+→ high\s+riskLevel high \(atRisk\)/);
  assert.match(run.stdout, /created high, medium, low/);
  assert.ok(emulator.directory.groups().some((g) => g.displayName === 'IdentityProtection-RiskyUser-RiskLevel-high'));
  const entries = await audited('risk.sync');
  assert.deepEqual(entries.map((e) => [e.actor, (e.after as { dryRun: boolean }).dryRun]).sort(), [['token:ops', false], ['token:ops', true]]);
});

test('risk sync --once --url while a cycle holds the lease: exit 1 with the server\'s reason, [conflict]', async () => {
  const scheduled = await takeCycleLease({ store }, { trigger: 'schedule', ttlMs: 60_000 });
  assert.ok(scheduled);
  try {
    const refused = await cli(['risk', 'sync', '--once']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^moatless: a risk-sync cycle is already running \(started by the schedule on .+ at .+Z\); wait for it to end .+ \[conflict\]$/m);
  } finally {
    await scheduled.release();
  }
});

test('bad input: no token, a wrong URL, a port nobody listens on — each a clear message, never the token', async () => {
  const noToken = await runMoatless(['tunnel', 'token', 'list', '--url', url], { MOATLESS_API_TOKEN: '' });
  assert.equal(noToken.code, 2);
  assert.match(noToken.stderr, /needs an admin API token in the environment variable MOATLESS_API_TOKEN/);
  const badToken = await cli(['risk', 'sync', '--once'], { MOATLESS_API_TOKEN: 'mla_not-a-real-token' });
  assert.equal(badToken.code, 1);
  assert.match(badToken.stderr, /\[unauthenticated\]/);
  // A claimed port below the ephemeral range that nothing binds: connection refused.
  const closed = await freePort();
  const refused = await runMoatless(['scim', 'directory', 'set', '--deprovision-on-no-groups', 'on', '--url', `http://127.0.0.1:${closed}`], writeEnv);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /cannot reach http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED.*\[unreachable\]/);
  // Not a Moatless: the emulator answers, but not with the admin API.
  const wrong = await runMoatless(['entra', 'auth-contexts', 'import', '--url', emulator.url], writeEnv);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /answered \d+ without an admin API error: is --url the auth URL of a Moatless server\?/);
  for (const r of [badToken, refused, wrong]) assert.ok(!r.stderr.includes(writeEnv['MOATLESS_API_TOKEN']!), 'the token is never printed');
});
