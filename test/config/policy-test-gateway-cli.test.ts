// `moatless policy test --gateway` explains a Gateway decision: the seed's isolate rule for a user in
// the high-risk group, the default allow for someone else, and the CONNECT-time view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMoatless } from '../harness/processes.ts';

test('policy test --gateway names the deciding rule and its reasons', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moatless-gwtest-'));
  writeFileSync(join(dir, 'moatless.yaml'), `
server: { authUrl: "http://auth.localtest.me:8080" }
storage: { kind: sqlite, path: ${join(dir, 'db.sqlite')} }
gateway:
  listener: { address: "127.0.0.1:0" }
  rules:
    - name: Isolate risky
      action: isolate
      when: { and: [{ domain: { in: [app1.example.com, app2.example.com] } }, { userGroupNames: { in: [IdentityProtection-RiskyUser-RiskLevel-high] } }] }
    - { name: no admin, action: block, when: { path: { matches: "^/admin" } } }
`);
  const run = (...extra: string[]) => runMoatless(['policy', 'test', '--gateway', '--config', join(dir, 'moatless.yaml'), ...extra]);
  try {
    const risky = await run('--user', 'bob@contoso.com', '--groups', 'IdentityProtection-RiskyUser-RiskLevel-high', '--url', 'https://app1.example.com/');
    assert.equal(risky.code, 0, risky.stderr);
    assert.match(risky.stdout, /^gateway decision \(http\): isolate by rule "Isolate risky"$/m);
    assert.match(risky.stdout, /because gateway\.user_group_names\.match: userGroupNames in IdentityProtection-RiskyUser-RiskLevel-high/);
    const fine = await run('--user', 'alice@contoso.com', '--url', 'https://app1.example.com/');
    assert.match(fine.stdout, /^gateway decision \(http\): allow$/m);
    assert.match(fine.stdout, /gateway\.default: no rule matched; default allow/);
    const connect = await run('--user', 'alice@contoso.com', '--url', 'https://app1.example.com/admin', '--stage', 'connect');
    assert.match(connect.stdout, /\[1\] no admin \(block\): needs HTTP facts \(skipped at CONNECT\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
