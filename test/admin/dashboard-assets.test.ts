// The committed dashboard build (web/dashboard/dist, what `npm ci` users get with no build step)
// must be exactly what the sources build to: rebuild into a temp folder and compare byte for byte.
// If this fails: run `npm run build:dashboard` and commit web/dashboard/dist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const committed = join(root, 'web/dashboard/dist');

function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile())
      out.set(relative(dir, join(e.parentPath, e.name)), readFileSync(join(e.parentPath, e.name), 'base64'));
  }
  return out;
}

test('web/dashboard/dist is up to date with web/dashboard/src (else: npm run build:dashboard)', () => {
  const out = mkdtempSync(join(tmpdir(), 'moatless-dashboard-'));
  try {
    execFileSync(
      process.execPath,
      [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/dashboard/vite.config.mjs'],
      {
        cwd: root,
        env: { ...process.env, DASHBOARD_OUT_DIR: out },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const fresh = files(out);
    const kept = files(committed);
    assert.deepEqual([...kept.keys()].sort(), [...fresh.keys()].sort(), 'the same file names (content hashes)');
    for (const [name, body] of fresh)
      assert.ok(kept.get(name) === body, `${name} differs: run npm run build:dashboard`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
