// Starts the Gateway floor (floor-gateway.ts, or the lean prototype lean-floor-gateway.ts) as its own
// process, like Moatless's (one process), and hands back its port and CA for the load generator.
// MOATLESS_BENCH_PROF profiles it too.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../test/harness/ports.ts';
import { startNode, waitForPort } from '../lib/procs.ts';

export async function startFloorGateway(dir: string, originCaFile: string, script = 'floor-gateway.ts'): Promise<{ port: number; child: ChildProcess; caPem: string }> {
  const port = await freePort();
  const caOut = join(dir, `${script}-ca.pem`);
  const prof = process.env.MOATLESS_BENCH_PROF;
  const child = startNode(new URL(`./${script}`, import.meta.url).pathname, [],
    { FLOOR_PORT: String(port), FLOOR_CA_OUT: caOut, FLOOR_EXTRA_CA: originCaFile }, prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []);
  await waitForPort(port, 30_000, child);
  return { port, child, caPem: readFileSync(caOut, 'utf8') };
}
