// Turns secret references into values. The environment comes in as an argument: config is the only
// capability that sees process.env, and only through load.ts.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SecretRef } from './schema/common.ts';
import type { ConfigIssue } from './issues.ts';

export interface SecretSources {
  env: Readonly<Record<string, string | undefined>>;
  baseDir: string;
}

export function resolveSecret(ref: SecretRef, path: string, src: SecretSources, issues: ConfigIssue[]): string {
  if (typeof ref === 'string') return ref;
  if ('env' in ref) {
    const value = src.env[ref.env];
    if (value === undefined || value === '') issues.push({ path, message: `environment variable ${ref.env} is not set` });
    return value ?? '';
  }
  try {
    return readFileSync(resolve(src.baseDir, ref.file), 'utf8').trim();
  } catch (err) {
    issues.push({ path, message: `cannot read secret file ${ref.file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
    return '';
  }
}
