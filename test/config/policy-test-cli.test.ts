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
  const base = ['policy', 'test', '--user', 'alice@contoso.com', '--url', 'http://payroll.localhost:8080/salaries', '--groups', 'Staff', '--config', join(dir, 'moatless.yaml')];
  try {
    const denied = await runMoatless(base);
    assert.equal(denied.code, 0, denied.stderr);
    assert.match(denied.stdout, /^decision: deny$/m);
    assert.match(denied.stdout, /auth_context\.missing: policy "staff-with-compliant-mfa" would allow with authentication context c1/);
    assert.match(denied.stdout, /include\s+yes\s+group: staff/);
    const allowed = await runMoatless([...base, '--acrs', 'c1']);
    assert.match(allowed.stdout, /^decision: allow by policy #0 "staff-with-compliant-mfa"$/m);
    const nobody = await runMoatless(['policy', 'test', '--user', 'eve@evil.example', '--url', 'http://wiki.localhost:8080/', '--config', join(dir, 'moatless.yaml')]);
    assert.match(nobody.stdout, /^decision: deny$/m);
    assert.match(nobody.stdout, /default_deny/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('policy test covers anonymous visitors, service tokens, claims, and paths the proxy refuses', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moatless-ptest-'));
  writeFileSync(join(dir, 'moatless.yaml'), `
server: { authUrl: "http://auth.localtest.me:8080" }
storage: { kind: sqlite, path: ${join(dir, 'db.sqlite')} }
identityProviders:
  - { id: corp, type: oidc, issuer: "https://idp.example", clientId: moatless, clientSecret: x }
serviceTokens:
  - { name: ci, clientId: ci-client-0001, clientSecret: s3cret-s3cret }
apps:
  - id: api
    hosts: [api.localtest.me]
    upstream: http://127.0.0.1:9
    policies:
      - { name: ci, action: service_auth, include: [{ serviceToken: ci }] }
      - { name: finance, action: allow, include: [{ claim: { name: department, value: Finance } }] }
`);
  const cfg = ['--config', join(dir, 'moatless.yaml')];
  const url = ['--url', 'http://api.localtest.me:8080/v1/pay'];
  try {
    const anon = await runMoatless(['policy', 'test', '--anonymous', ...url, ...cfg]);
    assert.match(anon.stdout, /^decision: authenticate$/m);
    const ci = await runMoatless(['policy', 'test', '--service-token', 'ci', ...url, ...cfg]);
    assert.match(ci.stdout, /^decision: service_auth by policy #0 "ci"$/m);
    const claim = await runMoatless(['policy', 'test', '--user', 'fin@contoso.com', '--claim', 'department=Finance', ...url, ...cfg]);
    assert.match(claim.stdout, /^decision: allow by policy #1 "finance"$/m);
    const other = await runMoatless(['policy', 'test', '--user', 'eng@contoso.com', '--claim', 'department=Engineering', ...url, ...cfg]);
    assert.match(other.stdout, /^decision: deny$/m);
    const trick = await runMoatless(['policy', 'test', '--anonymous', '--url', 'http://api.localtest.me:8080/v1/../admin', ...cfg]);
    assert.match(trick.stdout, /^note: the proxy refuses this path with 400 before any policy: dot segment in path$/m);
    const unknown = await runMoatless(['policy', 'test', '--service-token', 'nope', ...url, ...cfg]);
    assert.equal(unknown.code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
