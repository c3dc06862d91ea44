// In-process timing of the per-request decision with N apps configured: host → app through the
// compiled route table, then `evaluate(app.policies, facts)`, exactly the calls the request path
// makes. Shows that the decision cost does not grow with the number of apps.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRuntime } from '../../src/access/runtime.ts';
import { buildIdentityProviders } from '../../src/cli/compose.ts';
import { evaluate } from '../../src/policy/evaluate.ts';
import type { Facts } from '../../src/policy/types.ts';
import { appHost, benchConfig, benchIdentity } from './moatless-config.ts';

export interface DecisionTiming {
  apps: number;
  nsPerDecision: number;
  decisionsPerSec: number;
}

// Ten hosts spread over the table: the same working set for 10 and 10,000 apps.
const HOSTS = 10;

/**
 * Times the decision for each app count side by side: every route table is built first (building
 * 10,000 apps left the first second or two of timing 3-4× slower — 2.4× "not flat" in session 10,
 * flat once warmed side by side), all are warmed up until their rounds agree, then timed runs
 * alternate between them `rounds` times; each count's result is its median round.
 */
export function timeDecisions(appCounts: readonly number[], rounds = 5, iterations = 300_000): DecisionTiming[] {
  const dirs: string[] = [];
  try {
    const setups = appCounts.map((apps) => {
      const dir = mkdtempSync(join(tmpdir(), 'moatless-decide-'));
      dirs.push(dir);
      const config = benchConfig({ apps, upstream: 'http://127.0.0.1:9', port: 1, dir });
      const rt = buildRuntime(config, buildIdentityProviders(config));
      // Spread lookups over many hosts so a large table is not always hit in the same cache line.
      const hosts = Array.from({ length: HOSTS }, (_, i) => appHost(Math.floor((i * apps) / HOSTS)));
      return { apps, rt, hosts, warm: [] as number[], ns: [] as number[] };
    });
    const identity = benchIdentity(1);
    const facts = (host: string): Facts => ({ now: Date.now(), request: { ip: '127.0.0.1', host, path: '/', method: 'GET' }, identity });
    const run = (s: (typeof setups)[number], n: number): void => {
      let allowed = 0;
      for (let i = 0; i < n; i++) {
        const host = s.hosts[i % s.hosts.length]!;
        const app = s.rt.routes.lookup(host, '/')?.app;
        if (!app) throw new Error(`no route for ${host}`);
        if (evaluate(app.policies, facts(host)).action === 'allow') allowed++;
      }
      if (allowed !== n) throw new Error(`decision timing: ${n - allowed} decisions were not allow (broken setup)`);
    };
    const timed = (s: (typeof setups)[number]): number => {
      const t0 = process.hrtime.bigint();
      run(s, iterations);
      return Number(process.hrtime.bigint() - t0) / iterations;
    };
    // Warm-up until settled: rounds ran 3-4× slower for the first second or two after the tables were
    // built (the JIT and the collector still at work), for every count alike. Settled: each count's
    // last two rounds within 15%; at most 12 rounds.
    for (let w = 0; w < 12; w++) {
      for (const s of setups) s.warm.push(timed(s));
      if (w > 0 && setups.every((s) => Math.abs(s.warm.at(-1)! / s.warm.at(-2)! - 1) <= 0.15)) break;
    }
    for (let r = 0; r < rounds; r++) for (const s of setups) s.ns.push(timed(s));
    return setups.map((s) => {
      const ns = [...s.ns].sort((a, b) => a - b)[s.ns.length >> 1]!;
      return { apps: s.apps, nsPerDecision: ns, decisionsPerSec: 1e9 / ns };
    });
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}
