// `npm run build` (and prepack): compile src/ to dist/ with tsconfig.build.json, then copy the files
// tsc does not emit (SQL migrations and any other non-TypeScript asset under src/) beside the
// JavaScript that reads them by path. The installed package runs dist/, never src/. Reports go to
// stderr: `npm pack --json` owns stdout.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const src = join(root, 'src');
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
const tsc = join(root, 'node_modules/typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: ['ignore', 2, 2] });
let copied = 0;
for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || entry.name.endsWith('.ts')) continue;
  const from = join(entry.parentPath, entry.name);
  const to = join(dist, relative(src, from));
  cpSync(from, to);
  copied++;
}
process.stderr.write(`build: dist/ compiled, ${copied} asset(s) copied\n`);
