// The primary's half of the instance-wide scrape: every other worker is asked, the asker gets the
// parts once all answered, a silent worker costs at most the deadline (reported missing), an exited
// worker is not waited for, and a late answer is dropped. Plus how the parts merge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Gauge, Registry, Summary } from 'prom-client';
import { aggregateWorkers, type ClusterMetricsMessage } from '../admin/cluster-scrape.ts';
import { MetricsRelay, type MetricsPeer } from './cluster-metrics-relay.ts';

const logger = { warn: () => {} };

function cluster(n: number, timeoutMs = 1_000) {
  const peers = Array.from({ length: n }, (_, i) => {
    const inbox: ClusterMetricsMessage[] = [];
    return { id: i + 1, inbox, send: (m: ClusterMetricsMessage) => { inbox.push(m); } } satisfies MetricsPeer & { inbox: ClusterMetricsMessage[] };
  });
  const live = new Set(peers);
  const relay = new MetricsRelay({ timeoutMs, logger, peers: () => live });
  return { relay, peers, live };
}

const gathered = (p: { inbox: ClusterMetricsMessage[] }) => p.inbox.filter((m) => m.moatless === 'metrics-gathered');
const part = (worker: number) => ({ moatless: 'metrics-part', id: 's1', metrics: [{ name: `m${worker}`, help: 'h', type: 'counter', aggregator: 'sum', values: [] }] });

test('every other worker is asked, and the asker gets their parts once all answered', () => {
  const { relay, peers: [a, b, c] } = cluster(3);
  relay.onMessage(a!, { moatless: 'metrics-scrape', id: 's1' });
  assert.deepEqual(a!.inbox, []);
  for (const p of [b!, c!]) assert.deepEqual(p.inbox, [{ moatless: 'metrics-collect', id: 's1' }]);
  relay.onMessage(b!, part(2));
  assert.deepEqual(gathered(a!), []);
  relay.onMessage(c!, part(3));
  const [g] = gathered(a!);
  assert.ok(g?.moatless === 'metrics-gathered');
  assert.deepEqual(g.parts.map((p) => p.worker), [2, 3]);
  assert.deepEqual(g.missing, []);
});

test('a silent worker costs the deadline and is reported missing; its late answer is dropped', async () => {
  const { relay, peers: [a, b, c] } = cluster(3, 50);
  relay.onMessage(a!, { moatless: 'metrics-scrape', id: 's1' });
  relay.onMessage(b!, part(2));
  await new Promise((r) => setTimeout(r, 80));
  const [g] = gathered(a!);
  assert.ok(g?.moatless === 'metrics-gathered');
  assert.deepEqual(g.parts.map((p) => p.worker), [2]);
  assert.deepEqual(g.missing, [3]);
  relay.onMessage(c!, part(3));
  assert.equal(gathered(a!).length, 1);
});

test('a worker that exits is not waited for', () => {
  const { relay, peers: [a, b], live } = cluster(2, 60_000);
  relay.onMessage(a!, { moatless: 'metrics-scrape', id: 's1' });
  live.delete(b!);
  relay.remove(b!.id);
  const [g] = gathered(a!);
  assert.ok(g?.moatless === 'metrics-gathered');
  assert.deepEqual(g.missing, [2]);
});

test('merging: counters add up, per-process gauges and summaries get a worker label, store-read gauges appear once', async () => {
  const registryOf = async (requests: number, rss: number) => {
    const reg = new Registry();
    new Counter({ name: 'req_total', help: 'h', registers: [reg] }).inc(requests);
    new Gauge({ name: 'rss_bytes', help: 'h', registers: [reg] }).set(rss);
    new Gauge({ name: 'sessions_active', help: 'h', registers: [reg], aggregator: 'first' }).set(7);
    new Summary({ name: 'lag_seconds', help: 'h', registers: [reg], percentiles: [0.5] }).observe(rss / 1000);
    return reg.getMetricsAsJSON();
  };
  const merged = await aggregateWorkers([{ worker: 1, metrics: await registryOf(3, 100) }, { worker: 2, metrics: await registryOf(4, 200) }], [5], true).metrics();
  assert.match(merged, /^req_total 7$/m);
  assert.match(merged, /^rss_bytes\{worker="1"\} 100$/m);
  assert.match(merged, /^rss_bytes\{worker="2"\} 200$/m);
  assert.match(merged, /^sessions_active 7$/m);
  assert.match(merged, /^lag_seconds\{quantile="0.5",worker="2"\} 0.2$/m);
  assert.match(merged, /^moatless_cluster_worker_up\{worker="5"\} 0$/m);
  assert.match(merged, /^moatless_cluster_scrape_complete 0$/m);
});
