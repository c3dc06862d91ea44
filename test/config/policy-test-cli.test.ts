// `moatless policy test` explains a decision: what would happen if this user opened this URL now, and why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runMoatless } from '../harness/processes.ts';

test('policy test names the deciding rule, the missing auth context, and the allow once it is present', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moatless-ptest-'));
  // The demo config, on a private data folder so the test never touches ./data.
  const demo = readFileSync(resolve(import.meta.dirname, '../../demo/moatless.yaml'), 'utf8')
    .replace('path: ../data/moatless.db', `path: ${join(dir, 'db.sqlite')}`)
    .replace('fixture: ../dev/entra-fixture.yaml', `fixture: ${resolve(import.meta.dirname, '../../dev/entra-fixture.yaml')}`);
  writeFileSync(join(dir, 'moatless.yaml'), demo);
  const base = ['policy', 'test', '--user', 'alice@contoso.com', '--url', 'http://payroll.localtest.me:8080/salaries', '--groups', 'Staff', '--config', join(dir, 'moatless.yaml')];
  try {
    const denied = await runMoatless(base);
    assert.equal(denied.code, 0, denied.stderr);
    assert.match(denied.stdout, /^decision: deny$/m);
    assert.match(denied.stdout, /auth_context\.missing: policy "staff-with-compliant-mfa" would allow with authentication context c1/);
    assert.match(denied.stdout, /include\s+yes\s+group: staff/);
    const allowed = await runMoatless([...base, '--acrs', 'c1']);
    assert.match(allowed.stdout, /^decision: allow by policy #0 "staff-with-compliant-mfa"$/m);
    const nobody = await runMoatless(['policy', 'test', '--user', 'eve@evil.example', '--url', 'http://wiki.localtest.me:8080/', '--config', join(dir, 'moatless.yaml')]);
    assert.match(nobody.stdout, /^decision: deny$/m);
    assert.match(nobody.stdout, /default_deny/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
