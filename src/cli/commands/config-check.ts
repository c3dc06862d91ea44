// `moatless config check`: every problem at once, with its path; exit 1 when there is any.
import { configPathFrom, processEnv } from '../../config/env.ts';
import { formatIssues } from '../../config/issues.ts';
import { loadConfigFile } from '../../config/load.ts';
import { flag, type ParsedArgs } from '../args.ts';

export async function configCheck(args: ParsedArgs): Promise<number> {
  const path = configPathFrom(flag(args, 'config'));
  const r = loadConfigFile(path, { env: processEnv() });
  for (const w of r.warnings) process.stderr.write(`warning: ${w.path}: ${w.message}\n`);
  if (!r.ok) {
    process.stderr.write(`${path}: ${r.issues.length} problem${r.issues.length === 1 ? '' : 's'}:\n${formatIssues(r.issues)}\n`);
    return 1;
  }
  const c = r.config;
  process.stdout.write(`${path}: ok — ${c.apps.length} app(s), ${c.identityProviders.length} identity provider(s), ${c.ruleGroups.length} rule group(s), storage ${c.storage.kind}\n`);
  return 0;
}
