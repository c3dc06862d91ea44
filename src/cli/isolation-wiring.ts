// How the isolation capability plugs into `moatless serve`: its session manager and the viewer's
// mounts on the auth host. Must not: hold logic (src/isolation/ does).
import type { AuthHostMount } from '../access/context.ts';
import { buildIsolation, type IsolationDeps } from '../isolation/index.ts';
import type { ComposeOptions } from './compose.ts';

type Built = ReturnType<typeof buildIsolation>;
type MountsOption = NonNullable<ComposeOptions['mounts']>;

export function isolationWiring(opts: { onBuilt?: (built: Built) => void; extra?: Partial<IsolationDeps> } = {}): { mounts: MountsOption } {
  return {
    mounts: (deps) => {
      const built = buildIsolation({ ...deps, ...opts.extra });
      opts.onBuilt?.(built);
      return built.mounts;
    },
  };
}

/** Several capabilities' mounts as one `mounts` option. */
export function combineMounts(...parts: Array<MountsOption | undefined>): MountsOption {
  return (deps) => parts.flatMap((p): AuthHostMount[] => (p ? p(deps) : []));
}
