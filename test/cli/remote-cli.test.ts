// Operate issue, item 7: the admin commands work against a running instance — `--url` plus a token
// in MOATLESS_API_TOKEN, through /api/v1 — and print what they print against the store. The CLI is
// spawned as a real process against a real server; its token is read-only or write-scoped.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAdminToken } from '../../src/admin/index.ts';
import { createScimToken } from '../../src/directory/scim-tokens.ts';
import { REGISTRY_NS } from '../../src/isolation/index.ts';
import { EMPTY_HEALTH, writeHealth } from '../../src/risk/health.ts';
import { freePort } from '../harness/ports.ts';
import { runMoatless } from '../harness/processes.ts';
import { sessionFor, startStack, type Stack } from '../harness/stack.ts';

const DAY = 86_400_000;
let s: Stack;
let url: string;
let readEnv: Record<string, string>;
let writeEnv: Record<string, string>;

before(async () => {
  const port = await freePort();
  // The auth host on 127.0.0.1, so the CLI reaches it by its own name (no DNS in tests).
  url = `http://127.0.0.1:${port}`;
  s = await startStack({ port, extra: { server: { listeners: [{ address: `127.0.0.1:${port}` }], authUrl: url, shutdownGrace: '2s' } } });
  const now = Date.now();
  readEnv = { MOATLESS_API_TOKEN: (await createAdminToken(s.moatless.store, { name: 'ro', scope: 'read', expiresInMs: DAY, now })).token };
  // Lives 30 days: a token cannot create one that outlives it.
  writeEnv = { MOATLESS_API_TOKEN: (await createAdminToken(s.moatless.store, { name: 'ops', scope: 'write', expiresInMs: 30 * DAY, now })).token };
  await sessionFor(s, 'bob@contoso.com', 'wiki');
});
after(async () => { await s?.close(); });

const cli = (args: string[], env = readEnv) => runMoatless([...args, '--url', url], env);

test('sessions list --url: the live sessions of the running instance, as a table and as --json', async () => {
  const table = await cli(['sessions', 'list']);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^USER\s+KIND\s+APP/m);
  assert.match(table.stdout, /bob@contoso\.com\s+app\s+wiki/);
  const json = await cli(['sessions', 'list', '--user', 'bob@contoso.com', '--json']);
  assert.equal(json.code, 0, json.stderr);
  const rows = JSON.parse(json.stdout) as { email: string; kind: string; id: string }[];
  assert.deepEqual(rows.map((r) => r.kind).sort(), ['app', 'global']);
  assert.ok(rows.every((r) => r.id.length === 12), 'only an id prefix, as against the store');
});

test('apps list, scim users/groups, tunnel status, isolation sessions, risk status --url read the instance', async () => {
  const { directory } = await createScimToken(s.moatless.store, { name: 'entra', directoryName: 'contoso', now: Date.now() });
  await s.moatless.store.directory.users.create(directory.id, {
    id: 'u-carol', externalId: null, userName: 'carol@contoso.com', active: true, displayName: 'Carol', email: 'carol@contoso.com', givenName: null, familyName: null,
    raw: '{}', version: 1, createdAt: Date.now(), lastModified: Date.now(),
  });
  await s.moatless.store.kv.set(REGISTRY_NS, 'iso-9', JSON.stringify({ id: 'iso-9', user: 'bob@contoso.com', startedAt: Date.now(), lastInputAt: Date.now(), state: 'running', url: 'https://x.example/', tabs: 2, viewer: false, pid: 1, host: 'h1', policy: 'p' }), Date.now() + 3_600_000);
  await writeHealth(s.moatless.store.kv, { ...EMPTY_HEALTH, counts: { high: 3, medium: 0, low: 1 } });

  const apps = JSON.parse((await cli(['apps', 'list', '--json'])).stdout) as { id: string; hosts: string }[];
  assert.deepEqual(apps.map((a) => [a.id, a.hosts]), [['wiki', 'wiki.localtest.me'], ['payroll', 'payroll.localtest.me']]);
  const users = await cli(['scim', 'users']);
  assert.equal(users.code, 0, users.stderr);
  assert.match(users.stdout, /contoso\s+carol@contoso\.com\s+yes\s+Carol/);
  const groups = await cli(['scim', 'groups', '--json']);
  assert.deepEqual(JSON.parse(groups.stdout), []);
  const tunnels = await cli(['tunnel', 'status']);
  assert.match(tunnels.stdout, /no tunnels/);
  const iso = await cli(['isolation', 'sessions']);
  assert.match(iso.stdout, /^iso-9\s+bob@contoso\.com\s+running\s+\d+ min\s+2 tab\(s\)/m);
  const risk = await cli(['risk', 'status']);
  assert.equal(risk.code, 0, risk.stderr);
  assert.match(risk.stdout, /counts\s+high 3, medium 0, low 1/);
});

test('sessions revoke --url ends the sessions on the instance (write token); a read token is refused', async () => {
  await sessionFor(s, 'erin@contoso.com', 'wiki');
  const refused = await cli(['sessions', 'revoke', '--user', 'erin@contoso.com']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /read-only.*\[forbidden\]/);
  const done = await cli(['sessions', 'revoke', '--user', 'erin@contoso.com'], writeEnv);
  assert.equal(done.code, 0, done.stderr);
  assert.match(done.stdout, /revoked 2 session\(s\) of erin@contoso\.com/);
  assert.equal((await s.moatless.store.sessions.listActive({ email: 'erin@contoso.com', limit: 5, offset: 0 }, Date.now())).total, 0);
  const audit = await s.moatless.store.admin.audit.query({ limit: 5 });
  assert.ok(audit.some((e) => e.actor === 'token:ops' && e.action === 'sessions.revoke'), JSON.stringify(audit));
});

test('--url without a token, with a bad token, or over plain http to another machine is refused', async () => {
  const noToken = await runMoatless(['sessions', 'list', '--url', url], { MOATLESS_API_TOKEN: '' });
  assert.notEqual(noToken.code, 0);
  assert.match(noToken.stderr, /MOATLESS_API_TOKEN/);
  const bad = await cli(['sessions', 'list'], { MOATLESS_API_TOKEN: 'mla_not-a-real-token' });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /\[unauthenticated\]/);
  const clear = await runMoatless(['sessions', 'list', '--url', 'http://auth.example.com'], readEnv);
  assert.notEqual(clear.code, 0);
  assert.match(clear.stderr, /must be https/);
  assert.ok(!clear.stderr.includes(readEnv['MOATLESS_API_TOKEN']!), 'the token is never printed');
});

test('scim token create/list/revoke and scim log --url: through the API, the secret printed once, writes need the write scope', async () => {
  const created = await cli(['scim', 'token', 'create', '--name', 'remote-entra', '--directory', 'fabrikam'], writeEnv);
  assert.equal(created.code, 0, created.stderr);
  const token = created.stdout.trim();
  assert.match(token, /^mlscim_[A-Za-z0-9_-]{43}$/);
  assert.match(created.stderr, /shown only once/);
  const stored = (await s.moatless.store.directory.tokens.list()).find((t) => t.name === 'remote-entra');
  assert.ok(stored && stored.revokedAt === null, 'created in the instance\'s store');

  const list = await cli(['scim', 'token', 'list', '--json']);
  assert.equal(list.code, 0, list.stderr);
  assert.ok(!list.stdout.includes(token), 'never listed');
  assert.deepEqual((JSON.parse(list.stdout) as { name: string; directory: string; revokedAt: string | null }[])
    .filter((t) => t.name === 'remote-entra').map((t) => [t.directory, t.revokedAt]), [['fabrikam', null]]);

  const refused = await cli(['scim', 'token', 'revoke', '--name', 'remote-entra']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /\[forbidden\]/);
  const revoked = await cli(['scim', 'token', 'revoke', '--name', 'remote-entra'], writeEnv);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.match(revoked.stdout, /revoked 1 SCIM token\(s\) named "remote-entra"; SCIM requests with it now get 401/);
  assert.notEqual((await s.moatless.store.directory.tokens.list()).find((t) => t.name === 'remote-entra')?.revokedAt, null);

  await s.moatless.store.directory.provisioningLog.append({
    time: Date.now(), directoryId: stored.directoryId, method: 'POST', path: '/Users', operation: 'user.create', resourceType: 'User',
    resourceId: 'u-1', externalId: 'ext-dave', status: 201, error: null, durationMs: 3,
  });
  const log = await cli(['scim', 'log', '--directory', 'fabrikam']);
  assert.equal(log.code, 0, log.stderr);
  assert.match(log.stdout, /^TIME\s+DIRECTORY\s+OPERATION/m);
  assert.match(log.stdout, /fabrikam\s+user\.create\s+201\s+ext-dave\s+3/);
});

test('admin token create/list/revoke --url: scope and expiry as asked, audited as the calling token', async () => {
  const created = await cli(['admin', 'token', 'create', '--name', 'bot', '--scope', 'read', '--expires', '7d'], writeEnv);
  assert.equal(created.code, 0, created.stderr);
  const token = created.stdout.trim();
  assert.match(token, /^mla_/);
  const list = JSON.parse((await cli(['admin', 'token', 'list', '--json'])).stdout) as { name: string; scope: string; createdAt: string; expiresAt: string }[];
  const bot = list.find((t) => t.name === 'bot')!;
  assert.equal(bot.scope, 'read');
  assert.equal(Date.parse(bot.expiresAt) - Date.parse(bot.createdAt), 7 * DAY);
  assert.ok(!JSON.stringify(list).includes(token));
  const outlives = await cli(['admin', 'token', 'create', '--name', 'bot3', '--scope', 'read', '--expires', '60d'], writeEnv);
  assert.equal(outlives.code, 1);
  assert.match(outlives.stderr, /cannot create one that outlives it.*\[forbidden\]/);
  const odd = await cli(['admin', 'token', 'create', '--name', 'bot2', '--scope', 'read', '--expires', '36h'], writeEnv);
  assert.notEqual(odd.code, 0);
  assert.match(odd.stderr, /whole days/);
  const revoked = await cli(['admin', 'token', 'revoke', '--name', 'bot'], writeEnv);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.equal((await cli(['sessions', 'list'], { MOATLESS_API_TOKEN: token })).code, 1, 'the revoked token is refused');
  const audit = await s.moatless.store.admin.audit.query({ limit: 10 });
  assert.ok(audit.some((e) => e.actor === 'token:ops' && e.action === 'token.create' && e.target === 'token:bot'), JSON.stringify(audit));
  assert.ok(!JSON.stringify(audit).includes(token));
});
