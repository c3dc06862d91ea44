import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Latencies, percentile, summarize } from './latency.ts';

describe('latency percentiles', () => {
  test('nearest rank: p50 of 1..100 is 50, p99 is 99, p100 is 100', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(xs, 50), 50);
    assert.equal(percentile(xs, 99), 99);
    assert.equal(percentile(xs, 100), 100);
  });

  test('an empty set has no percentile rather than a zero', () => {
    assert.ok(Number.isNaN(percentile([], 99)));
    assert.ok(Number.isNaN(summarize([]).p50));
  });

  test('the recorder keeps every sample past its initial capacity and sorts numerically', () => {
    const l = new Latencies();
    for (let i = 5000; i >= 1; i--) l.add(i / 10); // 0.1 .. 500, descending, 5,000 samples
    const s = l.summary();
    assert.equal(s.count, 5000);
    assert.equal(s.p50, 250);
    assert.equal(s.p99, 495);
    assert.equal(s.max, 500);
  });
});
