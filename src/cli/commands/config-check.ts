// `moatless config check`: every problem at once, with its path; exit 1 when there is any. The file
// first (it must be valid on its own), then with the apps, policies and rule groups created through
// the admin API on top, as the server would serve them.
import { existsSync } from 'node:fs';
import { configPathFrom, processEnv } from '../../config/env.ts';
import { formatIssues } from '../../config/issues.ts';
import { loadConfigFile, type ResolvedConfig } from '../../config/load.ts';
import { openStore } from '../../store/open-store.ts';
import { flag, type ParsedArgs } from '../args.ts';
import { storeConfigOf } from '../compose.ts';
import { withApiObjects, type Layered } from '../layered-config.ts';

export async function configCheck(args: ParsedArgs): Promise<number> {
  const path = configPathFrom(flag(args, 'config'));
  const r = loadConfigFile(path, { env: processEnv() });
  for (const w of r.warnings) process.stderr.write(`warning: ${w.path}: ${w.message}\n`);
  if (!r.ok) {
    process.stderr.write(`${path}: ${r.issues.length} problem${r.issues.length === 1 ? '' : 's'}:\n${formatIssues(r.issues)}\n`);
    return 1;
  }
  let layered = await apiLayer(r.config);
  if (!layered) {
    process.stderr.write('warning: the store could not be opened: objects created through the admin API were not checked\n');
    layered = { config: r.config, rejected: [] };
  }
  const c = layered.config;
  const api = c.apiObjects.length;
  if (layered.rejected.length > 0) {
    process.stderr.write(`${path}: the file is valid, but ${layered.rejected.length} problem${layered.rejected.length === 1 ? '' : 's'} with objects `
      + `created through the admin API (not served):\n${formatIssues(layered.rejected)}\n`);
    return 1;
  }
  process.stdout.write(`${path}: ok — ${c.apps.length} app(s), ${c.identityProviders.length} identity provider(s), ${c.ruleGroups.length} rule group(s)`
    + `${api > 0 ? ` (with ${api} object(s) from the admin API)` : ''}, storage ${c.storage.kind}\n`);
  return 0;
}

/** The file with the store's API objects on top; null when the store cannot be read. A SQLite file
 * that does not exist yet holds none (and checking must not create it). */
async function apiLayer(file: ResolvedConfig): Promise<Layered | null> {
  const where = storeConfigOf(file);
  if (where.kind === 'sqlite' && !existsSync(where.path)) return { config: file, rejected: [] };
  let store;
  try {
    store = await openStore(where, {});
  } catch {
    return null;
  }
  try {
    return await withApiObjects(store, file);
  } finally {
    await store.close();
  }
}
