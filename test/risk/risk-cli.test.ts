// `moatless risk sync --once` and `moatless risk status` against the Entra emulator (demo fixture:
// bob is high risk), through the real CLI and a config file; and `config check` refusing a cloud
// without Identity Protection.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startEntraEmulator, type EntraEmulator } from '../../src/dev/entra/index.ts';
import { takeCycleLease } from '../../src/risk/cycle-lease.ts';
import { openStore } from '../../src/store/open-store.ts';
import { runMoatless } from '../harness/processes.ts';

let emu: EntraEmulator;
let dir: string;
const cfg = () => ['--config', join(dir, 'moatless.yaml')];

function writeConfig(extra = '', cloud = 'global'): void {
  writeFileSync(join(dir, 'moatless.yaml'), `
server: { authUrl: "http://auth.localtest.me:8080" }
storage: { kind: sqlite, path: ${join(dir, 'db.sqlite')} }
identityProviders:
  - id: entra
    type: entra
    tenantId: ${emu.tenantId}
    clientId: 8a3e6d2c-1f47-4b9a-b5e0-6c2d9f1a7e34
    clientSecret: dev-secret-change-me
    cloud: ${cloud}
    authorityUrl: ${emu.url}
    graphUrl: ${emu.graphUrl}
risk:
  identityProvider: entra
  outputs: [directory, entraGroups]
${extra}`);
}

before(async () => {
  emu = await startEntraEmulator({ fixturePath: resolve(import.meta.dirname, '../../dev/entra-fixture.yaml'), riskRequestsPerSecond: 0 });
  dir = mkdtempSync(join(tmpdir(), 'moatless-risk-cli-'));
});
after(async () => {
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});

test('risk sync --once: a dry run plans, a real run writes both outputs, status reports health', async () => {
  writeConfig();
  const dry = await runMoatless(['risk', 'sync', '--once', '--dry-run', '--json', ...cfg()]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stderr, /^page 1: 1 risky user\(s\) read$/m);
  const plan = JSON.parse(dry.stdout) as { dryRun: boolean; transitions: { userPrincipalName: string; to: string }[] };
  assert.equal(plan.dryRun, true);
  assert.deepEqual(plan.transitions.map((t) => [t.userPrincipalName, t.to]), [['bob@contoso.com', 'high']]);
  assert.equal(emu.directory.groups().some((g) => g.displayName.startsWith('IdentityProtection-')), false, 'a dry run creates nothing');

  const run = await runMoatless(['risk', 'sync', '--once', ...cfg()]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /bob@contoso\.com\s+none\s+→ high\s+riskLevel high \(atRisk\)/);
  assert.match(run.stdout, /created high, medium, low/);
  const high = emu.directory.groups().find((g) => g.displayName === 'IdentityProtection-RiskyUser-RiskLevel-high');
  assert.ok(high);
  assert.deepEqual(emu.directory.members(high.id).map((m) => (m.kind === 'user' ? m.user.userPrincipalName : '')), ['bob@contoso.com']);

  const status = await runMoatless(['risk', 'status', '--json', ...cfg()]);
  assert.equal(status.code, 0, status.stderr);
  const h = JSON.parse(status.stdout) as { configured: boolean; counts: Record<string, number>; lastError: unknown; recentChanges: unknown[] };
  assert.equal(h.configured, true);
  assert.deepEqual(h.counts, { high: 1, medium: 0, low: 0 });
  assert.equal(h.lastError, null);
  assert.ok(h.recentChanges.length > 0);
  const text = await runMoatless(['risk', 'status', ...cfg()]);
  assert.match(text.stdout, /counts\s+high 1, medium 0, low 0/);
  assert.equal((await runMoatless(['risk', 'sync', ...cfg()])).code, 2, 'without --once it is a usage error');
});

test('risk sync --once is refused while another cycle holds the lease (a server\'s schedule), saying which and since when', async () => {
  writeConfig();
  const store = await openStore({ kind: 'sqlite', path: join(dir, 'db.sqlite') });
  try {
    const scheduled = await takeCycleLease({ store }, { trigger: 'schedule', ttlMs: 60_000 });
    assert.ok(scheduled);
    const refused = await runMoatless(['risk', 'sync', '--once', ...cfg()]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^risk sync: a risk-sync cycle is already running \(started by the schedule on .+ at \d{4}-[\d-]+T[\d:.]+Z\); wait for it to end/m);
    assert.doesNotMatch(refused.stderr, /^page /m, 'nothing was read');
    await scheduled.release();
    assert.equal((await runMoatless(['risk', 'sync', '--once', '--dry-run', ...cfg()])).code, 0, 'runs once the lease is free');
  } finally {
    await store.close();
  }
});

test('config check refuses a risk sync in a cloud without Identity Protection, and an unknown provider', async () => {
  writeConfig('', 'china');
  const china = await runMoatless(['config', 'check', ...cfg()]);
  assert.notEqual(china.code, 0);
  assert.match(china.stderr + china.stdout, /risk\.identityProvider: Entra ID Protection \(risky users\) is not available in the china cloud/);
  writeFileSync(join(dir, 'moatless.yaml'), `
server: { authUrl: "http://auth.localtest.me:8080" }
storage: { kind: sqlite, path: ${join(dir, 'db.sqlite')} }
risk: { identityProvider: nope }
`);
  const unknown = await runMoatless(['config', 'check', ...cfg()]);
  assert.match(unknown.stderr + unknown.stdout, /risk\.identityProvider: unknown identity provider "nope"/);
});
