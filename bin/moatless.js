#!/usr/bin/env node
// `moatless` on the PATH (npx moatless …): Moatless is TypeScript run by Node 24's type stripping,
// so refuse older Node with a message that says what to do.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 23 || (major === 23 && minor < 6)) {
  process.stderr.write(`moatless needs Node 24 (this is ${process.version}). Run it through npm: "npx moatless …" or "npm run moatless -- …" from the project folder.\n`);
  process.exit(1);
}
await import('../src/cli/main.ts');
