// V8's young generation grows under load in doublings (16 → 32 → 64 → 128 MB of new space on
// 64-bit with Node 24's defaults), each once enough bytes have survived scavenges since the last
// one — a step of +64 MB RSS that arrived mid-run after the 6 s warm-up (issue 17: "RSS 261 → 326
// MB"), while the old space stayed flat. Not a leak, but it made "RSS end / start" compare a
// half-grown heap with a full one. So the log-on process is warmed up until its new space is at
// V8's ceiling, learnt here from a throwaway Node process with the same flags, before RSS is read.
import { spawnSync } from 'node:child_process';
import type { MoatlessChild } from './moatless-proc.ts';

/** Allocates with some survival until the new space stops doubling; prints its size in bytes. */
const PROBE = `
const v8 = require('node:v8');
const ring = new Array(20000); let i = 0, last = 0, since = Date.now();
const size = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
while (Date.now() - since < 1000) {
  for (let k = 0; k < 100000; k++) ring[i++ % ring.length] = { a: i, b: [i, i + 1], c: 'x' + i };
  if (size() !== last) { last = size(); since = Date.now(); }
}
process.stdout.write(String(last));
`;

/** The largest new space V8 gives a process started with these Node flags (bytes). */
export function youngGenerationCeiling(nodeFlags: string[] = []): number {
  const r = spawnSync(process.execPath, [...nodeFlags, '-e', PROBE], { encoding: 'utf8', timeout: 60_000 });
  const n = Number(r.stdout);
  if (r.status !== 0 || !Number.isFinite(n) || n <= 0) throw new Error(`young-generation probe failed: ${r.stderr}`);
  return n;
}

export interface YoungGenSettle {
  ceilingBytes: number;
  /** New space when warm-up ended (bytes). */
  newSpaceBytes: number;
  /** Seconds of load added to the warm-up to get there. */
  extraS: number;
}

/** Loads `m` in `stepS` chunks until its new space reaches the ceiling, or `maxS` of extra load. */
export async function settleYoungGeneration(m: MoatlessChild, load: (seconds: number) => Promise<unknown>, ceilingBytes: number, maxS: number, stepS = 5): Promise<YoungGenSettle> {
  let extraS = 0;
  for (;;) {
    const { spaces } = await m.ask({ cmd: 'stats' }, 'stats');
    const now = spaces['new'] ?? 0;
    if (now >= ceilingBytes || extraS >= maxS) return { ceilingBytes, newSpaceBytes: now, extraS };
    await load(stepS);
    extraS += stepS;
  }
}
