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
export function timeDecisions(apps: number, iterations = 300_000): DecisionTiming {
  const dir = mkdtempSync(join(tmpdir(), 'moatless-decide-'));
  try {
    const config = benchConfig({ apps, upstream: 'http://127.0.0.1:9', port: 1, dir });
    const rt = buildRuntime(config, buildIdentityProviders(config));
    // Spread lookups over many hosts so a large table is not always hit in the same cache line.
    const hosts = Array.from({ length: HOSTS }, (_, i) => appHost(Math.floor((i * apps) / HOSTS)));
    const identity = benchIdentity(1);
    const facts = (host: string): Facts => ({ now: Date.now(), request: { ip: '127.0.0.1', host, path: '/', method: 'GET' }, identity });
    let allowed = 0;
    const run = (n: number) => {
      for (let i = 0; i < n; i++) {
        const host = hosts[i % hosts.length]!;
        const app = rt.routes.lookup(host, '/')?.app;
        if (!app) throw new Error(`no route for ${host}`);
        if (evaluate(app.policies, facts(host)).action === 'allow') allowed++;
      }
    };
    run(20_000); // warm-up: let the JIT settle before timing
    allowed = 0;
    const t0 = process.hrtime.bigint();
    run(iterations);
    const ns = Number(process.hrtime.bigint() - t0) / iterations;
    if (allowed !== iterations) throw new Error(`decision timing: ${iterations - allowed} decisions were not allow (broken setup)`);
    return { apps, nsPerDecision: ns, decisionsPerSec: 1e9 / ns };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
