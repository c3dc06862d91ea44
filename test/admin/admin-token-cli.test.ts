// `moatless admin token create|list|revoke`: the token is printed once, works against the admin API
// of a server sharing the store, is stored only hashed, and stops working when revoked.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runMoatless } from '../harness/processes.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { call } from './helpers.ts';

let s: Stack;
let configPath: string;
before(async () => {
  s = await startStack();
  const storage = s.config.storage as { path: string };
  configPath = join(s.config.baseDir, 'cli.yaml');
  writeFileSync(configPath, `server: { authUrl: "${s.authUrl}" }\nstorage: { kind: sqlite, path: ${storage.path} }\n`);
});
after(async () => { await s.close(); });

test('create prints the token once; the API accepts it; list shows no secret; revoke ends it', async () => {
  const created = await runMoatless(['admin', 'token', 'create', '--name', 'ci', '--scope', 'read', '--expires', '30d', '--config', configPath]);
  assert.equal(created.code, 0, created.stderr);
  const token = created.stdout.trim();
  assert.match(token, /^mla_[A-Za-z0-9_-]{43}$/);
  assert.match(created.stderr, /shown only once/);
  const me = await call(s.browser(), `${s.authUrl}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  assert.deepEqual(me.json, { actor: 'token:ci', kind: 'token', role: null, canWrite: false });
  // Independent (a refused duplicate writes nothing): side by side, each is mostly Node starting up.
  const [dup, listed] = await Promise.all([
    runMoatless(['admin', 'token', 'create', '--name', 'ci', '--scope', 'read', '--expires', '30d', '--config', configPath]),
    runMoatless(['admin', 'token', 'list', '--config', configPath]),
  ]);
  assert.equal(dup.code, 1);
  assert.match(listed.stdout, /^ci\s+read\s/m);
  assert.ok(!listed.stdout.includes(token.slice(4, 20)));
  const revoked = await runMoatless(['admin', 'token', 'revoke', '--name', 'ci', '--config', configPath]);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.equal((await call(s.browser(), `${s.authUrl}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status, 401);
  const audit = await s.moatless.store.admin.audit.query({ limit: 10, actor: 'cli' });
  assert.deepEqual(audit.map((e) => e.action), ['token.revoke', 'token.create']);
});

test('bad flags are usage errors', async () => {
  const cases = [['--scope', 'admin', '--expires', '30d'], ['--scope', 'read'], ['--scope', 'read', '--expires', '400d']];
  const create = (extra: string[]) => runMoatless(['admin', 'token', 'create', '--name', 'x', ...extra, '--config', configPath]);
  const runs = await Promise.all(cases.map(create));
  cases.forEach((extra, i) => assert.equal(runs[i]!.code, 2, extra.join(' ')));
});
