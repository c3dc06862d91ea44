// The config as a running server sees it, for commands that judge or test it (`config check`,
// `policy test`): the file, plus the apps, policies and rule groups created through the admin API
// in the store the file names. Owns: reading both and printing what does not fit.
import { processEnv } from '../config/env.ts';
import { loadLayered } from '../config/layered.ts';
import type { ConfigIssue } from '../config/issues.ts';
import type { ResolvedConfig } from '../config/load.ts';
import type { Store } from '../store/ports.ts';

export interface Layered { config: ResolvedConfig; rejected: ConfigIssue[] }

export async function withApiObjects(store: Store, file: ResolvedConfig): Promise<Layered> {
  const where = file.sourcePath ? { sourcePath: file.sourcePath } : {};
  const r = loadLayered(file.fileObject, await store.admin.configObjects.list(), { env: processEnv(), ...where });
  return r.ok ? { config: r.config, rejected: r.rejected } : { config: file, rejected: r.rejected };
}
