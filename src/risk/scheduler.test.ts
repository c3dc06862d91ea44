// The schedule across replicas: two schedulers on one store run cycles one at a time, and when the
// holder dies (stops without giving the lease up) the other takes over within two intervals.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRiskScheduler } from './scheduler.ts';
import { openRiskKit, type RiskKit } from './testing.ts';

describe('risk scheduler', () => {
  let k: RiskKit;
  afterEach(async () => { await k.close(); });

  test('only the lease holder runs; a dead holder is replaced within two intervals', async () => {
    k = await openRiskKit({ risk: { 0: 'high' } });
    // Long enough that a cycle (a real Graph read over HTTP) is small beside it on a loaded machine.
    const interval = 600;
    const a = createRiskScheduler({ ...k.deps(), intervalMs: interval, holder: 'a' });
    const b = createRiskScheduler({ ...k.deps(), intervalMs: interval, holder: 'b' });
    assert.notEqual(await a.tick(), null, 'a takes the free lease and runs');
    assert.equal(await b.tick(), null, 'b is refused while a holds it');
    await new Promise((r) => setTimeout(r, interval));
    assert.notEqual(await a.tick(), null, 'a renews and runs the next due cycle');
    assert.equal(await b.tick(), null);
    // a dies: no more ticks, no release. b keeps ticking every half interval.
    const died = Date.now();
    let tookOver = 0;
    while (Date.now() - died < 3 * interval) {
      if (await b.tick()) { tookOver = Date.now(); break; }
      await new Promise((r) => setTimeout(r, interval / 2));
    }
    assert.ok(tookOver > 0, 'b took over');
    assert.ok(tookOver - died <= 2 * interval, `took ${tookOver - died} ms`);
    await b.stop();
    assert.equal(await k.store.kv.get('lease', 'risk.sync'), null, 'stop gives the lease up');
  });
});
