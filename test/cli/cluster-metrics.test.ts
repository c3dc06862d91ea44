// `/metrics` on a `moatless serve` with `server.workers: 2` shows the whole instance, whichever
// worker the scrape lands on: the request counter totals every request sent through the app, the
// per-process gauges carry a `worker` label instead of being summed, the store-read gauges are one
// figure, and a stopped (SIGSTOP) worker cannot hang a scrape — the answer comes within the
// deadline with what arrived and `moatless_cluster_worker_up{worker=…} 0`. Probes keep working.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream.ts';
import { freePort } from '../harness/ports.ts';
import { startMoatlessProcess, type Child } from '../harness/processes.ts';

let dir: string;
let upstream: FakeUpstream;
let port: number;
let primary: Child;
const APP_HOST = 'wiki.localtest.me';
const AUTH_HOST = 'auth.localtest.me';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'moatless-cluster-metrics-'));
  upstream = await startFakeUpstream();
  port = await freePort();
  const configPath = join(dir, 'moatless.yaml');
  writeFileSync(configPath, stringify({
    server: { listeners: [{ address: `127.0.0.1:${port}` }], authUrl: `http://${AUTH_HOST}:${port}`, shutdownGrace: '1s', workers: 2 },
    identityProviders: [{ id: 'entra', type: 'entra', tenantId: '5f1c2e7a-3b4d-4c8e-9a61-0d2b7f3e8c41', clientId: '8a3e6d2c-1f47-4b9a-b5e0-6c2d9f1a7e34', clientSecret: 'x', authorityUrl: 'http://127.0.0.1:9' }],
    apps: [{ id: 'wiki', hosts: [APP_HOST], upstream: upstream.url, policies: [{ name: 'everyone', action: 'bypass', include: [{ everyone: true }] }] }],
    storage: { kind: 'sqlite', path: join(dir, 'moatless.db') },
    logging: { level: 'warn', accessLog: false },
  }));
  primary = await startMoatlessProcess(['serve', '--config', configPath, '--no-watch'], /listening on .*\(2 workers\)/, {}, 60_000);
});

after(async () => {
  await primary?.stop();
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer { status: number; body: string; worker: string; ms: number }

/** One request on a fresh connection (cluster balances connections, not requests). */
function get(host: string, path: string, timeoutMs = 5_000): Promise<Answer> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, headers: { host: `${host}:${port}` } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, worker: String(res.headers['moatless-request-id'] ?? '').split('-')[0]!, ms: performance.now() - t0 }));
    });
    req.on('error', reject);
    req.setTimeout(timeoutMs, () => req.destroy(new Error('no answer')));
    req.end();
  });
}

/** Sum of one metric's samples whose labels include every given pair. */
function total(body: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of body.split('\n')) {
    const m = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

const samples = (body: string, name: string) => body.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));

function workerPids(): number[] {
  const pid = primary.proc.pid!;
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

test('every scrape counts every request sent through the app, whichever worker answers it', async () => {
  const N = 30;
  const served = new Set<string>();
  for (let i = 0; i < N; i++) {
    const a = await get(APP_HOST, `/page/${i}`);
    assert.equal(a.status, 200);
    served.add(a.worker);
  }
  assert.equal(served.size, 2, 'both workers served some of the requests');
  const scrapers = new Set<string>();
  for (let i = 0; i < 6; i++) {
    const s = await get(AUTH_HOST, '/metrics');
    assert.equal(s.status, 200, s.body);
    if (s.worker) scrapers.add(s.worker);
    assert.equal(total(s.body, 'moatless_http_requests_total', { app: 'wiki' }), N, `scrape ${i}: the counter totals every request`);
    assert.equal(total(s.body, 'moatless_http_request_duration_seconds_count', { app: 'wiki' }), N, `scrape ${i}: so does the histogram`);
    assert.equal(total(s.body, 'moatless_cluster_scrape_complete'), 1);
    assert.equal(samples(s.body, 'moatless_cluster_worker_up').length, 2, 'both workers are listed');
    assert.equal(total(s.body, 'moatless_cluster_worker_up'), 2, 'and both answered');
    // Per-process memory: one sample per worker, never a sum under one series.
    const rss = samples(s.body, 'moatless_process_resident_memory_bytes');
    assert.equal(rss.length, 2, rss.join('\n'));
    assert.ok(rss.every((l) => /worker="\d+"/.test(l)), rss.join('\n'));
    // Read from the shared store: one figure, not one per worker or their sum.
    assert.equal(samples(s.body, 'moatless_sessions_active').length, 1);
    assert.equal(total(s.body, 'moatless_sessions_active'), 0);
  }
  assert.equal(scrapers.size, 2, 'scrapes landed on both workers');
});

test('a stopped worker does not hang a scrape: the answer comes in time, with that worker shown as down', async () => {
  const [victim] = workerPids();
  assert.ok(victim);
  process.kill(victim, 'SIGSTOP');
  try {
    // Connections handed to the stopped worker never answer; the ones the other worker takes must.
    let answered: Answer | null = null;
    for (let i = 0; i < 6 && !answered; i++) answered = await get(AUTH_HOST, '/metrics', 4_000).catch(() => null);
    assert.ok(answered, 'the live worker answered a scrape');
    assert.equal(answered.status, 200);
    assert.ok(answered.ms < 3_000, `answered in ${Math.round(answered.ms)} ms`);
    assert.equal(total(answered.body, 'moatless_cluster_scrape_complete'), 0);
    assert.equal(samples(answered.body, 'moatless_cluster_worker_up').length, 2);
    assert.equal(total(answered.body, 'moatless_cluster_worker_up'), 1, 'one worker up, one down');
    assert.ok(total(answered.body, 'moatless_http_requests_total', { app: 'wiki' }) > 0, 'the live worker\'s figures are there');
  } finally {
    process.kill(victim, 'SIGCONT');
  }
  const s = await get(AUTH_HOST, '/metrics');
  assert.equal(total(s.body, 'moatless_cluster_worker_up'), 2, 'the resumed worker answers again');
});

test('the probes still answer on a clustered instance', async () => {
  for (let i = 0; i < 4; i++) {
    assert.equal((await get(AUTH_HOST, '/healthz')).status, 200);
    const ready = await get(APP_HOST, '/.moatless/readyz');
    assert.equal(ready.status, 200, ready.body);
    assert.equal((JSON.parse(ready.body) as { status: string }).status, 'ready');
  }
});
