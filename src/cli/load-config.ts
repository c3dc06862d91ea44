// Shared by every command that needs the config: load, print problems in path form, exit non-zero.
import { configPathFrom, processEnv } from '../config/env.ts';
import { formatIssues } from '../config/issues.ts';
import { loadConfigFile, type ResolvedConfig } from '../config/load.ts';
import { flag, type ParsedArgs } from './args.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/ports.ts';
import { storeConfigOf } from './compose.ts';

export class ConfigLoadFailed extends Error {}

export function loadConfigOrExplain(args: ParsedArgs, err: (s: string) => void = (s) => process.stderr.write(s)): ResolvedConfig {
  const path = configPathFrom(flag(args, 'config'));
  const r = loadConfigFile(path, { env: processEnv() });
  for (const w of r.warnings) err(`warning: ${w.path}: ${w.message}\n`);
  if (!r.ok) {
    err(`${path}: ${r.issues.length} problem${r.issues.length === 1 ? '' : 's'}:\n${formatIssues(r.issues)}\n`);
    throw new ConfigLoadFailed(path);
  }
  return r.config;
}

/** Runs `fn` with the loaded config; an invalid config has been printed and the command exits 1. */
export async function withConfig(args: ParsedArgs, fn: (cfg: ResolvedConfig) => Promise<number>): Promise<number> {
  let cfg: ResolvedConfig;
  try {
    cfg = loadConfigOrExplain(args);
  } catch (e) {
    if (e instanceof ConfigLoadFailed) return 1;
    throw e;
  }
  return fn(cfg);
}

/**
 * The shape of every command that works on the store: load the config (problems printed, exit 1),
 * open the store it names, run, close — whatever happens.
 */
export function withConfigAndStore(args: ParsedArgs, fn: (store: Store, cfg: ResolvedConfig) => Promise<number>): Promise<number> {
  return withConfig(args, async (cfg) => {
    const store = await openStore(storeConfigOf(cfg), {});
    try {
      return await fn(store, cfg);
    } finally {
      await store.close();
    }
  });
}
