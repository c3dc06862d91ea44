import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startNode, killAll } from '../lib/procs.ts';
import { quiesce } from './throughput.ts';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A process group that spins for `busyMs`, then idles: the previous configuration winding down.
function spinner(busyMs: number) {
  const script = join(mkdtempSync(join(tmpdir(), 'quiesce-')), 'spin.cjs');
  writeFileSync(script, `const end = Date.now() + ${busyMs}; while (Date.now() < end); process.send('idle'); setInterval(() => {}, 1000);`);
  const child = startNode(script);
  return new Promise<number>((resolve) => child.once('spawn', () => resolve(child.pid!)));
}

test('quiesce waits while a benchmark process is still busy, and not once it is quiet', async (t) => {
  t.after(killAll);
  const busy = await spinner(3_000);
  await new Promise((r) => setTimeout(r, 300)); // it is spinning now
  const waited = await quiesce([busy]);
  assert.ok(waited >= 1_500 && waited < 5_000, `waited ${waited} ms for a process spinning ~2.7 s more`);
  const quiet = await quiesce([busy]);
  // One 500 ms interval and two scans of /proc (slow on a loaded box), not the busy wait above.
  assert.ok(quiet < 2_000 && quiet < waited, `waited ${quiet} ms for an idle process (${waited} ms while busy)`);
});
