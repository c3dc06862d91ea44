// The risk sync against the Entra emulator over HTTP with a real SQLite store: both outputs, the
// incremental path, the live riskLevel fact, and the change log and health. Failure cases are in
// sync-failures.test.ts.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDirectoryFacts } from '../directory/directory-facts.ts';
import { readHealth } from './health.ts';
import { openRiskKit, uid, type RiskKit } from './testing.ts';

const HIGH = 'IdentityProtection-RiskyUser-RiskLevel-high';
const MEDIUM = 'IdentityProtection-RiskyUser-RiskLevel-medium';
const LOW = 'IdentityProtection-RiskyUser-RiskLevel-low';

describe('risk sync', () => {
  let k: RiskKit;
  afterEach(async () => { await k.close(); });

  test('a full cycle writes the three groups in the directory and in Entra, a user in at most one', async () => {
    k = await openRiskKit({ risk: { 0: 'high', 1: 'medium', 2: 'low', 3: 'high' }, provisioned: [0, 1, 2] });
    const r = await k.run();
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.equal(r.mode, 'full');
    assert.deepEqual(r.counts, { high: 2, medium: 1, low: 1 });
    assert.deepEqual(await k.directoryGroups(), { [HIGH]: ['u0@contoso.com'], [MEDIUM]: ['u1@contoso.com'], [LOW]: ['u2@contoso.com'] });
    assert.deepEqual(r.directory, { added: 3, removed: 0, notProvisioned: 1 });
    assert.deepEqual(k.entraGroups(), { [HIGH]: ['u0@contoso.com', 'u3@contoso.com'], [MEDIUM]: ['u1@contoso.com'], [LOW]: ['u2@contoso.com'] });
    // The riskLevel fact is live: provisioned or not.
    assert.equal((await loadDirectoryFacts(k.store, 'u0@contoso.com'))?.riskLevel, 'high');
    assert.equal((await loadDirectoryFacts(k.store, 'u3@contoso.com'))?.riskLevel, 'high');
    // After a complete read, a user Entra never rated is `none`.
    k.emu.requests.reset();
    const again = await k.run({ full: true });
    assert.equal(again.transitions.length, 0);
    assert.equal(k.emu.requestCount('POST /v1.0/groups'), 0, 'groups are pinned, never created twice');
    assert.equal(k.emu.requestCount('POST /v1.0/$batch'), 0, 'nothing to change');
  });

  test('a pinned Entra group deleted by an admin is looked up again and recreated at the next full cycle', async () => {
    k = await openRiskKit({ risk: { 0: 'high' } });
    await k.run();
    const high = k.emu.directory.groups().find((g) => g.displayName === HIGH);
    assert.ok(high);
    k.emu.directory.deleteGroup(high.id);
    const r = await k.run({ full: true });
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.deepEqual(r.entraGroups?.created, ['high']);
    assert.deepEqual(k.entraGroups()[HIGH], ['u0@contoso.com']);
  });

  test('an incremental cycle with no change is exactly one Graph request', async () => {
    k = await openRiskKit({ risk: { 0: 'high' }, provisioned: [0] });
    assert.equal((await k.run()).ok, true);
    k.emu.requests.reset();
    const r = await k.run();
    assert.equal(r.mode, 'incremental');
    assert.equal(r.ok, true);
    assert.equal(k.emu.requests.entries().filter((e) => e.path.includes('/v1.0/')).length, 1);
    assert.equal(k.emu.requestCount('GET /v1.0/identityProtection/riskyUsers'), 1);
  });

  test('raising, moving and dismissing risk: incremental cycles move users between groups and out', async () => {
    k = await openRiskKit({ risk: { 0: 'low' }, provisioned: [0, 1] });
    await k.run();
    k.emu.risky.set('u1@contoso.com', { level: 'high' });
    k.emu.risky.set('u0@contoso.com', { level: 'medium' });
    const raised = await k.run();
    assert.equal(raised.mode, 'incremental');
    assert.deepEqual(raised.transitions.map((t) => [t.userPrincipalName, t.from, t.to]).sort(), [['u0@contoso.com', 'low', 'medium'], ['u1@contoso.com', null, 'high']]);
    assert.deepEqual(await k.directoryGroups(), { [HIGH]: ['u1@contoso.com'], [MEDIUM]: ['u0@contoso.com'], [LOW]: [] });
    assert.deepEqual(k.entraGroups(), { [HIGH]: ['u1@contoso.com'], [MEDIUM]: ['u0@contoso.com'], [LOW]: [] });
    assert.equal((await loadDirectoryFacts(k.store, 'u1@contoso.com'))?.riskLevel, 'high');

    k.emu.risky.dismiss([uid(1)]);
    const dismissed = await k.run();
    assert.deepEqual(dismissed.transitions.map((t) => [t.userPrincipalName, t.to, t.reason]), [['u1@contoso.com', null, 'riskState dismissed']]);
    assert.deepEqual((await k.directoryGroups())[HIGH], []);
    assert.deepEqual(k.entraGroups()[HIGH], []);
    assert.equal((await loadDirectoryFacts(k.store, 'u1@contoso.com'))?.riskLevel, 'none');

    const log = await k.store.directory.risk.changes({ limit: 50, cycleId: dismissed.cycleId });
    assert.deepEqual(log.map((e) => [e.output, e.userPrincipalName, e.groupName, e.from, e.to, e.reason]).sort(), [
      ['directory', 'u1@contoso.com', HIGH, 'high', null, 'riskState dismissed'],
      ['entraGroups', 'u1@contoso.com', HIGH, 'high', null, 'riskState dismissed'],
      ['level', 'u1@contoso.com', HIGH, 'high', null, 'riskState dismissed'],
    ]);
    const h = await readHealth(k.store.kv);
    assert.equal(h.lastError, null);
    assert.deepEqual(h.counts, { high: 0, medium: 1, low: 0 });
    assert.ok(h.watermark !== null && h.lastSuccessAt !== null);
  });

  test('a user provisioned after their risk was read joins their group at the next incremental cycle', async () => {
    k = await openRiskKit({ risk: { 4: 'high' } });
    assert.equal((await k.run()).directory?.notProvisioned, 1);
    const now = Date.now();
    await k.store.directory.users.create(k.directoryId, {
      id: 'late', externalId: null, userName: 'u4@contoso.com', active: true, displayName: null, email: null, givenName: null, familyName: null,
      raw: '{}', version: 1, createdAt: now, lastModified: now,
    });
    const r = await k.run();
    assert.equal(r.mode, 'incremental');
    assert.deepEqual((await k.directoryGroups())[HIGH], ['u4@contoso.com']);
  });

  test('only the configured riskStates count; deleted users leave unless includeDeleted', async () => {
    k = await openRiskKit({ risk: { 0: 'high', 1: 'high' }, provisioned: [0, 1] });
    k.emu.risky.set('u0@contoso.com', { level: 'high', state: 'confirmedCompromised' });
    k.emu.deleteUser('u1@contoso.com');
    const r = await k.run({}, { riskStates: ['confirmedCompromised'] });
    assert.deepEqual(r.counts, { high: 1, medium: 0, low: 0 });
    const withDeleted = await k.run({ full: true }, { riskStates: ['confirmedCompromised', 'atRisk'], includeDeleted: true });
    assert.deepEqual(withDeleted.counts, { high: 2, medium: 0, low: 0 });
  });

  test('onRaise: revoke ends the sessions of users raised to high', async () => {
    k = await openRiskKit({ provisioned: [0] });
    await k.run({}, { onRaise: 'revoke' });
    const identity = { userKey: 't:u0', email: 'u0@contoso.com', idp: 'entra', groups: [], groupNames: [], amr: [], acrs: [], claims: {} };
    const { record } = await k.sessions.createGlobal({ identity, durationMs: 3_600_000, ip: null, userAgent: null });
    k.emu.risky.set('u0@contoso.com', { level: 'high' });
    const r = await k.run({}, { onRaise: 'revoke' });
    assert.equal(r.ok, true);
    assert.equal(r.sessionsEnded, 1);
    assert.equal((await k.store.sessions.get(record.id))?.revokedReason, 'risk_revoked');
  });
});
