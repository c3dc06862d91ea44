// Cost of request metrics on the proxy path: our cached cells against prom-client's own labelled
// children (which hash their labels on every observe), in the same run. Prints ns per request.
import { Counter, Histogram, Registry } from 'prom-client';
import { RequestMetrics, LATENCY_BUCKETS } from '../src/admin/request-metrics.ts';

const N = 2_000_000;
const apps = ['wiki', 'payroll', 'grafana', 'jira'];
const actions = ['allow', 'deny', 'authenticate'];

function time(label: string, fn: (app: string, action: string, ms: number) => void): number {
  for (let i = 0; i < 100_000; i++) fn(apps[i & 3]!, actions[i % 3]!, i % 40);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) fn(apps[i & 3]!, actions[i % 3]!, i % 40);
  const ns = Number(process.hrtime.bigint() - t0) / N;
  process.stdout.write(`${label.padEnd(44)} ${ns.toFixed(1)} ns/request\n`);
  return ns;
}

const ours = new RequestMetrics();
const reg = new Registry();
const counter = new Counter({ name: 'c', help: 'c', labelNames: ['app', 'action'], registers: [reg] });
const histogram = new Histogram({ name: 'h', help: 'h', labelNames: ['app', 'action'], buckets: [...LATENCY_BUCKETS], registers: [reg] });
const children = new Map<string, { inc: () => void; observe: (v: number) => void }>();

const a = time('moatless cells (two map lookups)', (app, action, ms) => ours.observe(app, action, ms));
const b = time('prom-client, cached labelled children', (app, action, ms) => {
  let c = children.get(app + action);
  if (!c) {
    const cc = counter.labels(app, action);
    const hc = histogram.labels(app, action);
    children.set(app + action, (c = { inc: () => cc.inc(), observe: (v) => hc.observe(v) }));
  }
  c.inc();
  c.observe(ms / 1000);
});
process.stdout.write(`ratio prom-client / moatless: ${(b / a).toFixed(1)}×\n`);
