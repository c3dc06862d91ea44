// `moatless config check` reports every problem at once with its path and exits non-zero; a live
// reload keeps serving the old config when the new one is invalid, and applies a valid one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startMoatless } from '../../src/cli/compose.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import { startFakeUpstream } from '../fakes/upstream.ts';
import { TestBrowser } from '../harness/http-client.ts';
import { freePort } from '../harness/ports.ts';
import { runMoatless } from '../harness/processes.ts';

const BROKEN = `
server: { authUrl: "http://auth.localtest.me:8080", listeners: [{ address: "127.0.0.1:8080" }] }
identityProviders:
  - { id: entra, type: entra, tenantId: 5f1c2e7a-3b4d-4c8e-9a61-0d2b7f3e8c41, clientId: 8a3e6d2c-1f47-4b9a-b5e0-6c2d9f1a7e34, clientSecret: { env: NOT_SET_ANYWHERE }, cloud: mars }
ruleGroups:
  - { name: eng, include: [{ group: Engineering }] }
apps:
  - id: wiki
    hosts: [wiki.localtest.me]
    upstream: http://127.0.0.1:9001
    policies:
      - { name: p, action: allow, include: [{ ruleGroup: enginering }, { ipRange: 10.0.0.300/8 }], colour: blue }
  - id: wiki
    hosts: [wiki.localtest.me]
    upstream: not-a-url
`;

test('config check prints every problem with its path and exits 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moatless-cfg-'));
  writeFileSync(join(dir, 'moatless.yaml'), BROKEN);
  const r = await runMoatless(['config', 'check', '--config', join(dir, 'moatless.yaml')]);
  assert.equal(r.code, 1);
  // Schema errors, all of them at once; an unknown key is named at its own path.
  assert.match(r.stderr, /identityProviders\[0\]\.cloud: unknown cloud "mars"; valid values: global, usgov, usgovhigh, dod, china/);
  assert.match(r.stderr, /apps\[0\]\.policies\[0\]\.colour: unknown key; known keys: name, action/);
  assert.match(r.stderr, /apps\[1\]\.upstream: /);
  rmSync(dir, { recursive: true, force: true });
});

const MANY_MISTAKES = `
server: { authUrl: "http://auth.localtest.me:8080", listeners: [{ address: "127.0.0.1:8080" }] }
identityProviders:
  - { id: entra, type: entra, tenantId: 5f1c2e7a-3b4d-4c8e-9a61-0d2b7f3e8c41, clientId: 8a3e6d2c-1f47-4b9a-b5e0-6c2d9f1a7e34, clientSecret: x }
apps:
  - { id: broken, hosts: [broken.localtest.me], upstream: not-a-url }
  - id: wiki
    hosts: [wiki.localtest.me]
    upstream: "http://127.0.0.1:9001"
    policies: [{ name: staff, action: allow, include: [{ ruleGroup: enginering }] }]
  - id: docs
    hosts: [wiki.localtest.me]
    upstream: "http://127.0.0.1:9002"
    polices: [{ name: all, action: allow, include: [{ everyone: true }] }]
`;

test('config check reports schema errors, duplicate hosts, typos and bad references in one run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moatless-cfg-'));
  writeFileSync(join(dir, 'moatless.yaml'), MANY_MISTAKES);
  const r = await runMoatless(['config', 'check', '--config', join(dir, 'moatless.yaml')]);
  assert.equal(r.code, 1);
  const lines = r.stderr.split('\n');
  const has = (line: string) => assert.ok(lines.includes(line), `missing "${line}" in:\n${r.stderr}`);
  has('apps[0].upstream: expected an http:// or https:// URL, or tunnel:<name> (lower-case letters, digits, - and _)');
  has('apps[2].hosts[0]: "wiki.localtest.me/" is already routed to app "wiki"');
  has('apps[2].polices: unknown key; did you mean "policies"?');
  has('apps[1].policies[0].include[0].ruleGroup: unknown rule group "enginering"; known: (none)');
  assert.match(r.stderr, /: 4 problems:/);
  rmSync(dir, { recursive: true, force: true });
});

test('a YAML syntax error is reported once, with its line and column', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moatless-cfg-'));
  writeFileSync(join(dir, 'moatless.yaml'), 'server:\n  authUrl: http://a.example.com\n listeners: [\n');
  const r = await runMoatless(['config', 'check', '--config', join(dir, 'moatless.yaml')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /: 1 problem:\n\(yaml\) line 3, column 1: all mapping items must start at the same column\n$/);
  rmSync(dir, { recursive: true, force: true });
});

test('cross-reference problems are reported together with their paths', () => {
  const dir = mkdtempSync(join(tmpdir(), 'moatless-cfg-'));
  const fixed = BROKEN.replace('cloud: mars', 'cloud: global').replace(', colour: blue', '').replace('upstream: not-a-url', 'upstream: http://127.0.0.1:9002');
  writeFileSync(join(dir, 'moatless.yaml'), fixed);
  const r = loadConfigFile(join(dir, 'moatless.yaml'), { env: {} });
  assert.equal(r.ok, false);
  const lines = r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
  assert.ok(lines.some((l) => l.startsWith('identityProviders[0].clientSecret: environment variable NOT_SET_ANYWHERE is not set')), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('apps[1].id: duplicate app id "wiki"')), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('apps[1].hosts[0]:') && l.includes('already routed')), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('apps[0].policies[0].include[0].ruleGroup')), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('apps[0].policies[0].include[1].ipRange')), lines.join('\n'));
  rmSync(dir, { recursive: true, force: true });
});

test('a live reload keeps the old config when the new one is invalid and applies a valid one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moatless-reload-'));
  const up = await startFakeUpstream();
  const port = await freePort();
  const file = join(dir, 'moatless.yaml');
  const cfg = (hosts: string) => `
server: { authUrl: "http://auth.localtest.me:${port}", listeners: [{ address: "127.0.0.1:${port}" }] }
storage: { kind: sqlite, path: ${join(dir, 'db.sqlite')} }
logging: { level: fatal, accessLog: false }
identityProviders:
  - { id: entra, type: entra, tenantId: 5f1c2e7a-3b4d-4c8e-9a61-0d2b7f3e8c41, clientId: 8a3e6d2c-1f47-4b9a-b5e0-6c2d9f1a7e34, clientSecret: x, authorityUrl: "http://127.0.0.1:9" }
apps:
  - { id: wiki, hosts: [${hosts}], upstream: "${up.url}", policies: [{ name: office, action: bypass, include: [{ ipRange: 127.0.0.1 }] }] }
`;
  writeFileSync(file, cfg('wiki.localtest.me'));
  const r = loadConfigFile(file, { env: {} });
  assert.ok(r.ok);
  const m = await startMoatless(r.config, { logger: pino({ level: 'silent' }), watchConfig: true });
  const b = new TestBrowser(new Map([[`wiki.localtest.me:${port}`, port], [`docs.localtest.me:${port}`, port]]));
  try {
    assert.equal((await b.get(`http://wiki.localtest.me:${port}/`)).status, 200);
    writeFileSync(file, readFileSync(file, 'utf8').replace('action: bypass', 'action: teleport'));
    const bad = await m.reload();
    assert.equal(bad.ok, false);
    assert.match(bad.issues ?? '', /apps\[0\]\.policies\[0\]\.action/);
    assert.equal((await b.get(`http://wiki.localtest.me:${port}/`)).status, 200, 'still serving the previous config');
    writeFileSync(file, cfg('docs.localtest.me'));
    // The file watcher picks the change up by itself.
    const t0 = Date.now();
    while ((await b.get(`http://docs.localtest.me:${port}/`)).status !== 200) {
      assert.ok(Date.now() - t0 < 3000, 'the watcher applied the valid config');
      await new Promise((res) => setTimeout(res, 50));
    }
    assert.equal((await b.get(`http://wiki.localtest.me:${port}/`)).status, 404, 'the old host is gone');
  } finally {
    await m.close();
    await up.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
