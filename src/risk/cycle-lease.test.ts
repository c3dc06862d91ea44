// One cycle at a time, whoever starts it: a hand-started cycle is refused (naming the running one)
// while a scheduled or another hand-started cycle holds the lease, and the lease is given up when a
// cycle ends, also when it fails. The Graph read is held open by a gate, so "while it runs" is a
// state the test waits for, not a race it hopes to win.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RiskGraph } from './graph-port.ts';
import { RISK_LEASE, RiskSyncBusyError, runManualCycle } from './cycle-lease.ts';
import { createRiskScheduler } from './scheduler.ts';
import type { RiskSyncDeps } from './sync.ts';
import { openRiskKit, type RiskKit } from './testing.ts';

/** Deps whose Graph read waits until `open()`; `entered` resolves when a read is waiting. */
function gated(deps: RiskSyncDeps) {
  let open!: () => void;
  let entered!: () => void;
  const gate = new Promise<void>((r) => { open = r; });
  const waiting = new Promise<void>((r) => { entered = r; });
  const graph: RiskGraph = {
    ...deps.graph,
    async readRiskyUsers(opts) {
      entered();
      await gate;
      return deps.graph.readRiskyUsers(opts);
    },
  };
  return { deps: { ...deps, graph }, entered: waiting, open };
}

const lease = (k: RiskKit) => k.store.kv.get(RISK_LEASE.ns, RISK_LEASE.key);

describe('risk cycle lease', () => {
  let k: RiskKit;
  afterEach(async () => { await k.close(); });

  test('a hand-started cycle is refused while a scheduled one runs, naming it and since when', async () => {
    k = await openRiskKit({ risk: { 0: 'high' } });
    const g = gated(k.deps());
    const scheduled = createRiskScheduler({ ...g.deps, intervalMs: 60_000, holder: 'replica-a' }).tick();
    await g.entered;
    await assert.rejects(runManualCycle(k.deps()), (err: unknown) => {
      assert.ok(err instanceof RiskSyncBusyError);
      assert.equal(err.running?.trigger, 'schedule');
      assert.equal(err.running?.id, 'replica-a');
      assert.match(err.message, /^a risk-sync cycle is already running \(started by the schedule on .+ at \d{4}-\d\d-\d\dT[\d:.]+Z\); wait for it to end/);
      return true;
    });
    g.open();
    assert.equal((await scheduled)?.ok, true);
    assert.equal(await lease(k), null, 'the schedule gives the lease up when its cycle ends');
    assert.equal((await runManualCycle(k.deps())).ok, true, 'and a hand-started cycle runs then');
  });

  test('two hand-started cycles at once: one runs, the other is refused; a due schedule tick waits too', async () => {
    k = await openRiskKit({ risk: { 0: 'high' } });
    const g = gated(k.deps());
    const first = runManualCycle(g.deps);
    await g.entered;
    await assert.rejects(runManualCycle(k.deps()), (err: unknown) => err instanceof RiskSyncBusyError && err.running?.trigger === 'manual');
    assert.equal(await createRiskScheduler({ ...k.deps(), intervalMs: 60_000 }).tick(), null, 'the schedule does not start beside it');
    g.open();
    assert.equal((await first).ok, true);
    assert.equal(await lease(k), null);
  });

  test('the lease is given up when a cycle fails, and when the cycle itself throws', async () => {
    k = await openRiskKit({ risk: { 0: 'high' } });
    const base = k.deps();
    const failing: RiskGraph = { ...base.graph, readRiskyUsers: async () => { throw new Error('connection reset') } };
    const failed = await runManualCycle({ ...base, graph: failing });
    assert.equal(failed.ok, false);
    assert.equal(failed.error?.code, 'graph_unavailable');
    assert.equal(await lease(k), null, 'released after a failed cycle');
    // The store refuses the failure record: the cycle itself rejects.
    const kv = { ...k.store.kv, set: async () => { throw new Error('disk full') } };
    await assert.rejects(runManualCycle({ ...base, graph: failing, store: { ...k.store, kv } }), /disk full/);
    assert.equal(await lease(k), null, 'released after a cycle that threw');
    assert.equal((await runManualCycle(k.deps())).ok, true, 'the next cycle runs');
  });
});
