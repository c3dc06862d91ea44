// How the directory capability plugs into `moatless serve` (SCIM mount, live directory facts).
// Filled in by the directory issue; empty until then.
import type { ComposeOptions } from './compose.ts';

export function directoryWiring(): Pick<ComposeOptions, 'mounts' | 'directoryFacts'> {
  return {};
}
