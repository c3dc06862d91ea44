// Ship issue: the high-availability topology as processes (scripts/ha-demo.ts): two replicas on
// PostgreSQL behind real nginx; a sign-out on replica A refuses the next request on replica B.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

test('scripts/ha-demo.ts: a revocation on one replica refuses the next request on the other, behind nginx', { timeout: 60_000 }, async () => {
  const child = spawn(process.execPath, [resolve(ROOT, 'scripts/ha-demo.ts')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  assert.equal(code, 0, out);
  assert.match(out, /through nginx: (200 from [AB], ){3}200 from [AB]/);
  assert.match(out, /from A/, 'nginx used replica A');
  assert.match(out, /from B/, 'nginx used replica B');
  assert.match(out, /replica A: 200, replica B: 200/);
  assert.match(out, /replica B refuses .*: 302/);
  assert.match(out, /through nginx: 302, 302\n/);
  assert.match(out, /OK: a revocation on one replica refused the next request on the other/);
});
