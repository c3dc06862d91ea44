#!/usr/bin/env node
// `moatless` on the PATH. In the repository it runs the TypeScript in src/ (Node 24 strips the
// types); an installed package has no src/ and runs the JavaScript `npm pack` compiled into dist/
// (Node does not strip types under node_modules). src/ wins when both exist, so a dist/ left over
// from a local `npm pack` never shadows the code being edited.
import { existsSync } from 'node:fs';

const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(`moatless needs Node 24 or later (this is ${process.version}).\n`);
  process.exit(1);
}
const source = new URL('../src/cli/main.ts', import.meta.url);
await import(existsSync(source) ? source.href : new URL('../dist/cli/main.js', import.meta.url).href);
