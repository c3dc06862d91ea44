// Runs `npm run bench:admin` end to end at a tiny scale on SQLite and PostgreSQL, so the benchmark
// cannot rot: seeding through the store, every list case and deep walk answering 200, the dashboard
// pages becoming interactive in Chromium, and the metrics on/off comparison — with a report that
// gives a verdict for every figure. Says nothing about speed (the scale is far below the goal's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

test('bench:admin at scale 0.002 measures every case on both stores and reports a verdict for each', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moatless-bench-admin-test-'));
  try {
    const out = join(dir, 'admin.json');
    const { stdout } = await run(process.execPath, [join(import.meta.dirname, 'admin.ts'), '--scale', '0.002', '--samples', '3', '--storage', 'both', '--out', out],
      { maxBuffer: 16 * 2 ** 20, timeout: 580_000 });
    const r = JSON.parse(readFileSync(out, 'utf8')) as {
      runs: { storage: string; counts: Record<string, number>; api: { name: string; requests: number; p99Ms: number; rows: number }[]; dashboard: { path: string; maxMs: number }[] }[];
      metricsCost: { rpsOn: number; rpsOff: number; throughputCostPct: number; perRound: { first: string; throughputCostPct: number }[] };
    };
    assert.deepEqual(r.runs.map((x) => x.storage), ['sqlite', 'postgres']);
    for (const s of r.runs) {
      assert.equal(s.counts['users'], 200);
      assert.equal(s.counts['accessLines'], 2000);
      const names = s.api.map((a) => a.name);
      for (const want of ['users: first page', 'sessions: by app', 'access log: by email', 'audit: first page', '/metrics scrape']) assert.ok(names.includes(want), `${s.storage}: ${want} measured`);
      for (const want of ['users: walk', 'sessions: walk', 'access log: walk', 'access log: pages of 50 at depth']) {
        assert.ok(names.some((n) => n.startsWith(want)), `${s.storage}: ${want}… measured`);
      }
      for (const a of s.api) assert.ok(a.requests > 0 && Number.isFinite(a.p99Ms), `${s.storage} ${a.name}: measured`);
      // The walks reach the end of the smaller lists: every seeded user and session, once.
      assert.equal(s.api.find((a) => a.name.startsWith('users: walk'))?.rows, 200);
      assert.equal(s.api.find((a) => a.name.startsWith('sessions: walk'))?.rows, 200 + 1, 'seeded sessions plus the admin\'s own');
      assert.deepEqual(s.dashboard.map((p) => p.path), ['/admin/', '/admin/apps', '/admin/tester', '/admin/users', '/admin/risk', '/admin/logs']);
      for (const p of s.dashboard) assert.ok(p.maxMs > 0 && Number.isFinite(p.maxMs), `${p.path} became interactive`);
    }
    assert.ok(r.metricsCost.rpsOn > 0 && r.metricsCost.rpsOff > 0 && Number.isFinite(r.metricsCost.throughputCostPct));
    // One process, slices alternating on/off, off/on: every pair's ratio printed.
    assert.deepEqual(r.metricsCost.perRound.map((x) => x.first), ['on', 'off']);
    assert.match(stdout, /pair\s+first\s+on req\/s\s+off req\/s\s+1 − on\/off/);
    assert.match(stdout, /^2\s+off\s+[\d,]+\s+[\d,]+\s+-?\d+\.\d\d %/m);
    assert.match(stdout, /users: first page .* (met|NOT met)\n/);
    assert.match(stdout, /throughput cost .* ≤ 3 % .* (met|NOT met|inconclusive)/);
    assert.match(stdout, /\/admin\/logs .* ≤ 1000 ms .* (met|NOT met)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
