// The version in package.json, read once at startup: the connector reports it to the edge (shown in
// `moatless tunnel status`), so it must follow releases instead of a string kept by hand.
// src/cli/ and dist/cli/ are both two levels below the package root, so one relative path serves both.
import { readFileSync } from 'node:fs';

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}
