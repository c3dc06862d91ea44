// Bad input from Graph, each against the emulator over HTTP: none leaves a group wrong. A failed
// read changes nothing and keeps the watermark; refusals name the missing permission; 429s without
// Retry-After are paced and retried; two same-named groups stop the cycle; a user deleted between
// read and write, and the replication 400 after a create, are handled item by item.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readHealth } from './health.ts';
import { runRiskCycle } from './sync.ts';
import { openRiskKit, uid, type RiskKit } from './testing.ts';

const HIGH = 'IdentityProtection-RiskyUser-RiskLevel-high';
const RISKY = '/v1.0/identityProtection/riskyUsers';
const many = (n: number, level: 'high' | 'low' = 'high') => Object.fromEntries(Array.from({ length: n }, (_, i) => [i, level]));

describe('risk sync failures', () => {
  let k: RiskKit;
  afterEach(async () => { await k.close(); });

  /** A baseline: a full cycle with u0 and u1 high, then a change the failing cycle would apply. */
  async function baseline(): Promise<{ watermark: number | null }> {
    k = await openRiskKit({ risk: { 0: 'high', 1: 'high' }, provisioned: [0, 1, 2], users: 8 });
    assert.equal((await k.run()).ok, true);
    k.emu.risky.set('u2@contoso.com', { level: 'high' });
    k.emu.risky.dismiss([uid(0)]);
    return { watermark: (await readHealth(k.store.kv)).watermark };
  }

  async function assertUnchanged(before: { watermark: number | null }, code: string): Promise<void> {
    assert.deepEqual((await k.directoryGroups())[HIGH], ['u0@contoso.com', 'u1@contoso.com']);
    assert.deepEqual(k.entraGroups()[HIGH], ['u0@contoso.com', 'u1@contoso.com']);
    const h = await readHealth(k.store.kv);
    assert.equal(h.watermark, before.watermark);
    assert.equal(h.lastError?.code, code);
    // The next healthy cycle catches up.
    const r = await k.run();
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.deepEqual((await k.directoryGroups())[HIGH], ['u1@contoso.com', 'u2@contoso.com']);
    assert.deepEqual(k.entraGroups()[HIGH], ['u1@contoso.com', 'u2@contoso.com']);
  }

  test('a page failing half way (page 2 of 2 answers 503 after retries) changes nothing and keeps the watermark', async () => {
    k = await openRiskKit({ risk: many(600, 'low'), provisioned: [0, 1], users: 600 });
    assert.equal((await k.run()).ok, true);
    k.emu.risky.set('u0@contoso.com', { level: 'high' });
    const before = await readHealth(k.store.kv);
    k.emu.faults.add({ path: RISKY, status: 503, skip: 1, count: 10 });
    const r = await k.run({ full: true, onPage: () => {} });
    assert.equal(r.error?.code, 'graph_unavailable');
    assert.match(r.error?.message ?? '', /page 2/);
    assert.equal(k.emu.requests.entries().filter((e) => e.path === RISKY && e.status === 200).length >= 2, true);
    assert.deepEqual((await k.directoryGroups())[HIGH], []);
    assert.deepEqual(k.entraGroups()[HIGH], []);
    assert.equal((await readHealth(k.store.kv)).watermark, before.watermark);
    assert.equal((await k.store.directory.risk.findByUpn('u0@contoso.com'))[0]?.level, 'low');
  });

  test('5xx on the read: nothing changes, the watermark stays, the next cycle catches up', async () => {
    const before = await baseline();
    k.emu.faults.add({ path: RISKY, status: 503, count: 4 }); // every try of the Graph client
    const r = await k.run();
    assert.equal(r.ok, false);
    assert.equal(r.error?.code, 'graph_unavailable');
    await assertUnchanged(before, 'graph_unavailable');
  });

  test('malformed or truncated JSON on the read changes nothing', async () => {
    const before = await baseline();
    k.emu.faults.add({ path: RISKY, status: 200, body: '{"value":[{"id":"a0000000-0000-4000-8000-0000000' });
    const r = await k.run();
    assert.equal(r.error?.code, 'invalid_response');
    await assertUnchanged(before, 'invalid_response');
  });

  test('a timeout changes nothing', async () => {
    const before = await baseline();
    k.emu.faults.add({ path: RISKY, status: 503, delayMs: 1_000, count: 4 });
    // The Graph client's own deadline is 10 s; a fetch with a 100 ms deadline stands in for it.
    const impatient: typeof fetch = (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(100) });
    const r = await runRiskCycle(k.deps({}, { paceMs: 0, sleep: async () => {} }, impatient));
    assert.equal(r.error?.code, 'graph_unavailable');
    assert.match(r.error?.message ?? '', /unreachable|abort|timeout/i);
    k.emu.faults.clear();
    await assertUnchanged(before, 'graph_unavailable');
  });

  test('403 names the missing permission; 401 is reported as unauthorized', async () => {
    k = await openRiskKit({ risk: { 0: 'high' }, roles: ['GroupMember.Read.All'] });
    const r = await k.run();
    assert.equal(r.error?.code, 'permission_missing');
    assert.match(r.error?.message ?? '', /IdentityRiskyUser\.Read\.All/);
    await k.close();
    k = await openRiskKit({ risk: { 0: 'high' }, roles: ['IdentityRiskyUser.Read.All', 'GroupMember.Read.All'] });
    const noCreate = await k.run();
    assert.match(noCreate.error?.message ?? '', /Group\.Create/);
    assert.deepEqual(Object.keys(k.entraGroups()), []);
    assert.deepEqual(await k.directoryGroups(), {}, 'the directory is not written when Entra groups cannot be resolved');
    k.emu.faults.add({ path: RISKY, status: 401, code: 'InvalidAuthenticationToken', count: 2 });
    assert.equal((await k.run()).error?.code, 'unauthorized');
  });

  test('429 without Retry-After: the adapter paces to ~1 rps and retries with backoff', async () => {
    // 1 rps, not faster: two requests back to back must fall in one interval even on a loaded machine.
    k = await openRiskKit({ risk: { 0: 'high' }, riskRequestsPerSecond: 1 });
    const deps = k.deps({}, { paceMs: 0 });
    // Two requests back to back: the second is throttled, then retried after a real backoff.
    await deps.graph.readRiskyUsers({});
    const r = await runRiskCycle(deps);
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.ok(k.emu.requests.entries().some((e) => e.status === 429 && e.path === RISKY));
    const paced = await openRiskKit({ risk: { 0: 'high' }, riskRequestsPerSecond: 1 });
    try {
      const g = paced.deps({}, {}).graph; // production pacing
      await g.readRiskyUsers({});
      await g.readRiskyUsers({});
      // Production pacing spaces the reads about a second apart as they arrive (a loaded machine can
      // shift one by a few tens of milliseconds, and the rare 429 that causes is retried).
      const arrivals = paced.emu.requests.entries().filter((e) => e.path === RISKY).map((e) => Date.parse(e.at));
      assert.ok(arrivals.length >= 2);
      for (let i = 1; i < arrivals.length; i++) assert.ok(arrivals[i]! - arrivals[i - 1]! >= 850, `reads ${arrivals[i]! - arrivals[i - 1]!} ms apart`);
      assert.ok(paced.emu.requests.entries().filter((e) => e.status === 429).length <= 1, 'pacing keeps (almost always) under the limit');
    } finally {
      await paced.close();
    }
  });

  test('two tenant groups with the same name: error, nothing changed anywhere', async () => {
    const g = (n: number) => ({ id: `c0000000-0000-4000-8000-00000000000${n}`, displayName: HIGH, members: [] });
    k = await openRiskKit({ risk: { 0: 'high' }, provisioned: [0], groups: [g(1), g(2)] });
    const r = await k.run();
    assert.equal(r.error?.code, 'duplicate_group');
    assert.match(r.error?.message ?? '', /2 groups named/);
    assert.equal(k.emu.requestCount('POST /v1.0/groups'), 0);
    assert.deepEqual(k.entraGroups(), { [HIGH]: [] });
    assert.deepEqual(await k.directoryGroups(), {});
  });

  test('a user deleted between read and write is not an error (404 per item)', async () => {
    k = await openRiskKit({ risk: { 0: 'high', 1: 'high' } });
    const deps = k.deps();
    const graph = { ...deps.graph, async readRiskyUsers(o: Parameters<typeof deps.graph.readRiskyUsers>[0]) {
      const users = await deps.graph.readRiskyUsers(o);
      k.emu.directory.deleteUser('u1@contoso.com'); // gone before the batch runs
      return users;
    } };
    const r = await runRiskCycle({ ...deps, graph });
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.equal(r.entraGroups?.gone, 1);
    assert.deepEqual(k.entraGroups()[HIGH], ['u0@contoso.com']);
  });

  test('the replication 400 right after a group is created is retried until it passes', async () => {
    k = await openRiskKit({ risk: { 0: 'high' }, replicationLagMs: 300 });
    // Real backoff (≥ 250 ms per retry) outlasts the emulator's 300 ms replication window.
    const r = await runRiskCycle(k.deps({}, { paceMs: 0 }));
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.ok(k.emu.requestCount('POST /v1.0/$batch') >= 2, 'the add was retried');
    assert.deepEqual(k.entraGroups()[HIGH], ['u0@contoso.com']);
  });

  test('a cycle removing more than maxRemovalShare of a group stops unless confirmed', async () => {
    k = await openRiskKit({ risk: many(10), provisioned: [0, 1, 2], users: 10 });
    assert.equal((await k.run()).ok, true);
    k.emu.risky.dismiss(Array.from({ length: 6 }, (_, i) => uid(i)));
    const r = await k.run();
    assert.equal(r.error?.code, 'removal_guard');
    assert.match(r.error?.message ?? '', /6 of 10/);
    assert.equal(k.entraGroups()[HIGH]?.length, 10);
    const confirmed = await k.run({ confirm: true });
    assert.equal(confirmed.ok, true);
    assert.equal(k.entraGroups()[HIGH]?.length, 4);
  });
});
