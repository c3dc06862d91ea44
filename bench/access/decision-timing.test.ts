import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timeDecisions } from './decision-timing.ts';

test('decision timing builds every table, then times them side by side: one result per app count, in order', () => {
  const r = timeDecisions([10, 200], 3, 2_000);
  assert.deepEqual(r.map((x) => x.apps), [10, 200]);
  for (const x of r) {
    assert.ok(x.nsPerDecision > 0 && Number.isFinite(x.nsPerDecision), `${x.apps}: ${x.nsPerDecision} ns`);
    assert.equal(Math.round(x.decisionsPerSec), Math.round(1e9 / x.nsPerDecision));
  }
});
