// What `moatless serve` plugs into the composition root besides the config: the directory's SCIM
// mount and live directory facts, and the isolation viewer's mounts. One function, so the Access
// benchmark (bench/access/moatless-child.ts) runs exactly what `serve` runs. Must not: hold logic.
import type { ComposeOptions } from './compose.ts';
import { directoryWiring } from './directory-wiring.ts';
import { combineMounts, isolationWiring } from './isolation-wiring.ts';

export function serveWiring(opts: { watchConfig: boolean }): ComposeOptions {
  const directory = directoryWiring();
  return { watchConfig: opts.watchConfig, ...directory, mounts: combineMounts(directory.mounts, isolationWiring().mounts) };
}
