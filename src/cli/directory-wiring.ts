// How the directory capability plugs into `moatless serve`: the SCIM mount on the auth host (with
// the group-change re-auth hook) and live directory facts for the proxy. Must not: hold logic.
import { createDirectoryFacts } from '../directory/directory-facts.ts';
import { scimMount } from '../directory/http/scim-mount.ts';
import { createGroupChangeHook } from '../identity/group-change.ts';
import type { ComposeOptions } from './compose.ts';

export function directoryWiring(opts: { now?: () => number } = {}): Pick<ComposeOptions, 'mounts' | 'directoryFacts'> {
  const now = opts.now ?? Date.now;
  return {
    mounts: ({ store, sessions, logger, config }) => [
      scimMount({
        store, sessions, logger, now,
        authOrigin: () => new URL(config().server.authUrl).origin,
        groupChange: createGroupChangeHook({ sessions, idpConfigs: () => config().identityProviders }),
      }),
    ],
    directoryFacts: ({ store }) => createDirectoryFacts(store, { now }),
  };
}
