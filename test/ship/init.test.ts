// Ship issue: `moatless init` writes a starter config that `config check` accepts, and never
// overwrites a file without --force.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMoatless } from '../harness/processes.ts';

const IDS = ['--tenant-id', '5f1c2e7a-3b4d-4c8e-9a61-0d2b7f3e8c41', '--client-id', '8a3e6d2c-1f47-4b9a-b5e0-6c2d9f1a7e34'];

test('init writes a commented starter config that config check accepts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moatless-init-'));
  try {
    const out = join(dir, 'conf', 'moatless.yaml');
    const r = await runMoatless(['init', ...IDS, '--cloud', 'usgov', '--auth-url', 'https://auth.example.com',
      '--app-host', 'wiki.example.com', '--upstream', 'http://10.0.0.5:8080', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(out, 'utf8');
    assert.match(text, /^# moatless\.yaml/);
    assert.match(text, /cloud: usgov/);
    assert.match(text, /hosts: \[wiki\.example\.com\]/);
    assert.doesNotMatch(text, /clientSecret: (?!\{ env:)/, 'no secret in the file');
    const check = await runMoatless(['config', 'check', '--config', out], { MOATLESS_ENTRA_CLIENT_SECRET: 's3cret' });
    assert.equal(check.code, 0, check.stderr);
    assert.equal(check.stderr, '', 'no warnings either');
    assert.match(check.stdout, /ok — 1 app\(s\), 1 identity provider\(s\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('init refuses to overwrite without --force, and rejects flags that make an invalid config', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moatless-init-'));
  try {
    const out = join(dir, 'moatless.yaml');
    writeFileSync(out, 'mine');
    const refused = await runMoatless(['init', ...IDS, '--out', out]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /exists; not overwriting it \(--force/);
    assert.equal(readFileSync(out, 'utf8'), 'mine');
    const bad = await runMoatless(['init', ...IDS, '--cloud', 'mars', '--out', out, '--force']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /identityProviders\[0\]\.cloud: unknown cloud "mars"/);
    assert.equal(readFileSync(out, 'utf8'), 'mine');
    assert.equal((await runMoatless(['init', ...IDS, '--out', out, '--force'])).code, 0);
    assert.match(readFileSync(out, 'utf8'), /tenantId: 5f1c2e7a/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
