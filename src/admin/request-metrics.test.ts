// RequestMetrics: cells are created once per (app, action) and reused; buckets are cumulative on
// export; recording is cheap enough for the proxy path (measured, not asserted as a time budget).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LATENCY_BUCKETS, RequestMetrics } from './request-metrics.ts';

test('one cell per app and action, reused on every observe (the cached child)', () => {
  const m = new RequestMetrics();
  const c = m.cell('wiki', 'allow');
  m.observe('wiki', 'allow', 3);
  m.observe('wiki', 'allow', 30);
  assert.equal(m.cell('wiki', 'allow'), c);
  assert.equal(c.count, 2);
  assert.notEqual(m.cell('wiki', 'deny'), c);
});

test('exported histogram buckets are cumulative, with +Inf, _sum and _count', async () => {
  const m = new RequestMetrics();
  m.observe('wiki', 'allow', 0.5); // 0.0005 s → first bucket
  m.observe('wiki', 'allow', 7); // 0.007 s → le=0.01
  m.observe('wiki', 'allow', 60_000); // beyond the last bound → +Inf only
  const [counter, histogram] = m.exported();
  assert.deepEqual((await counter!.get()).values, [{ labels: { app: 'wiki', action: 'allow' }, value: 3 }]);
  const values = (await histogram!.get()).values;
  const bucket = (le: number | string) => values.find((v) => v.metricName?.endsWith('_bucket') && v.labels['le'] === le)?.value;
  assert.equal(bucket(0.001), 1);
  assert.equal(bucket(0.005), 1);
  assert.equal(bucket(0.01), 2);
  assert.equal(bucket(LATENCY_BUCKETS.at(-1)!), 2);
  assert.equal(bucket('+Inf'), 3);
  assert.equal(values.find((v) => v.metricName?.endsWith('_sum'))?.value, 0.0005 + 0.007 + 60);
});

test('recording allocates nothing per request once the cell exists', () => {
  const m = new RequestMetrics();
  m.observe('wiki', 'allow', 1);
  globalThis.gc?.();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 200_000; i++) m.observe('wiki', 'allow', i % 50);
  const grown = process.memoryUsage().heapUsed - before;
  // Generous bound: 200,000 label strings would be several MB; plain arithmetic is ~0.
  assert.ok(grown < 1_000_000, `heap grew ${grown} bytes`);
  assert.equal(m.cell('wiki', 'allow').count, 200_001);
});
