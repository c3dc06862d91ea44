// Ship issue: a real package. `npm pack` compiles src/ to JavaScript (Node does not strip types
// under node_modules); the tarball installed into a temp prefix runs `moatless --help`, `init`,
// `config check`, and opens its store (the SQL migrations travel with the JavaScript).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
// npm runs its scripts (prepack) with this Node 24 first on the PATH.
const env = { ...process.env, PATH: `${resolve(process.execPath, '..')}:${process.env.PATH ?? ''}` };

test('npm pack → npm install → moatless --help, init, config check from compiled JavaScript', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moatless-pack-'));
  try {
    const packed = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT, env, maxBuffer: 16 << 20 });
    const [info] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
    const files = info.files.map((f) => f.path);
    assert.ok(files.includes('dist/cli/main.js'), 'compiled entry point');
    assert.ok(files.includes('dist/store/migrations/sqlite/001-core.sql'), 'SQL migrations copied');
    assert.ok(files.includes('LICENSE'));
    assert.ok(files.includes('web/dashboard/dist/index.html'), 'the built admin dashboard');
    assert.ok(!files.some((f) => f.startsWith('src/') || f.startsWith('test/') || f.endsWith('.test.js')), 'no sources or tests');

    const prefix = join(dir, 'prefix');
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefix', prefix, join(dir, info.filename)], { env, maxBuffer: 16 << 20 });
    const pkg = join(prefix, 'node_modules/moatless');
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
    assert.equal(manifest.dependencies['playwright-core'], undefined, 'test-only packages are not runtime dependencies');
    assert.ok(!existsSync(join(prefix, 'node_modules/playwright-core')));
    assert.ok(!existsSync(join(pkg, 'src')));

    const bin = join(prefix, 'node_modules/.bin/moatless');
    const moatless = (args: string[], extra: Record<string, string> = {}) => run(process.execPath, [bin, ...args], { cwd: dir, env: { ...env, ...extra } });
    const help = await moatless(['--help']);
    assert.match(help.stdout, /moatless init +write a commented starter moatless\.yaml/);

    const cfg = join(dir, 'conf/moatless.yaml');
    await moatless(['init', '--tenant-id', '5f1c2e7a-3b4d-4c8e-9a61-0d2b7f3e8c41', '--client-id', '8a3e6d2c-1f47-4b9a-b5e0-6c2d9f1a7e34', '--out', cfg]);
    const secret = { MOATLESS_ENTRA_CLIENT_SECRET: 's3cret' };
    const check = await moatless(['config', 'check', '--config', cfg], secret);
    assert.match(check.stdout, /ok — 1 app\(s\)/);
    // Opens SQLite through the compiled store: the migrations must be found beside the JavaScript.
    const token = await moatless(['scim', 'token', 'create', '--name', 'entra', '--config', cfg], secret);
    assert.match(token.stdout + token.stderr, /entra/);
    assert.ok(existsSync(join(dir, 'conf/data/moatless.db')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
