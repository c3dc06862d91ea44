// The schedule across replicas: two schedulers on one store run cycles one at a time, and when the
// one that ran stops ticking the other runs the next due cycle within two intervals.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRiskScheduler } from './scheduler.ts';
import { openRiskKit, type RiskKit } from './testing.ts';

describe('risk scheduler', () => {
  let k: RiskKit;
  afterEach(async () => { await k.close(); });

  test('one cycle at a time across replicas; a replica that stops ticking is replaced within two intervals', async () => {
    k = await openRiskKit({ risk: { 0: 'high' } });
    // Long enough that a cycle (a real Graph read over HTTP) is small beside it on a loaded machine.
    const interval = 600;
    const a = createRiskScheduler({ ...k.deps(), intervalMs: interval, holder: 'a' });
    const b = createRiskScheduler({ ...k.deps(), intervalMs: interval, holder: 'b' });
    const first = a.tick();
    assert.equal(await b.tick(), null, 'b is refused while a runs a cycle under the lease');
    assert.notEqual(await first, null, 'a took the free lease and ran');
    assert.equal(await k.store.kv.get('lease', 'risk.sync'), null, 'the lease is given up when the cycle ends');
    await new Promise((r) => setTimeout(r, interval));
    const second = a.tick();
    assert.equal(await b.tick(), null, 'b is refused again while a runs the next due cycle');
    assert.notEqual(await second, null, 'a ran the next due cycle');
    // a dies: no more ticks. b keeps ticking every half interval.
    const died = Date.now();
    let tookOver = 0;
    while (Date.now() - died < 3 * interval) {
      if (await b.tick()) { tookOver = Date.now(); break; }
      await new Promise((r) => setTimeout(r, interval / 2));
    }
    assert.ok(tookOver > 0, 'b took over');
    assert.ok(tookOver - died <= 2 * interval, `took ${tookOver - died} ms`);
    await b.stop();
    assert.equal(await k.store.kv.get('lease', 'risk.sync'), null, 'no lease is left behind');
  });
});
