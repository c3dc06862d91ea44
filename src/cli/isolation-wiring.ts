// How the isolation capability plugs into `moatless serve`: its session manager and the viewer's
// mounts on the auth host, and — when this process runs the Gateway — the Gateway's answers to it:
// which policy isolates a user (controls, notice), every navigation re-checked, and the remote
// browser's egress through a Gateway as its user (this process's, or `isolation.proxy` with a
// pass: src/gateway/isolation-egress.ts); with `isolation.workers`, viewers routed to isolation
// workers on other hosts (src/isolation/workers/). Must not: hold logic (src/isolation/ and src/gateway/ do).
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AuthHostMount } from '../access/context.ts';
import { isolationEgress } from '../gateway/isolation-egress.ts';
import { isolationControls, isolationNavigationCheck } from '../gateway/isolation-policy.ts';
import { buildIsolation, type EgressSource, type IsolationDeps } from '../isolation/index.ts';
import { authHostOwners } from '../isolation/workers/index.ts';
import type { ComposeOptions, MountDeps } from './compose.ts';

type Built = ReturnType<typeof buildIsolation>;
type MountsOption = NonNullable<ComposeOptions['mounts']>;

/** The Gateway's listener as a dialable URL (a wildcard bind is reached on loopback). */
function gatewayProxy(deps: MountDeps): string | null {
  return deps.gateway()?.url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:') ?? null;
}

function gatewayEgress(deps: MountDeps): EgressSource {
  return isolationEgress({
    local: () => {
      const g = deps.gateway();
      const proxy = gatewayProxy(deps);
      return g && proxy ? { proxy, passes: g.passes } : null;
    },
    kv: deps.store.kv, sessions: deps.sessions, directoryFacts: deps.directoryFacts, config: deps.config, logger: deps.logger,
  });
}

/**
 * With `isolation.workers`: users' browsers run on isolation workers (placed, relayed with the
 * hop's proof), and on this process too only with `localBrowsers` (else it keeps no warm browser).
 */
function workersRouting(deps: MountDeps): Partial<IsolationDeps> {
  const cfg = deps.config();
  const workers = cfg.isolation.workers;
  const secret = cfg.secrets.isolationWorkerSecret;
  if (!workers || !secret) return {};
  const ca = workers.caFile ? readFileSync(resolve(cfg.baseDir, workers.caFile)) : undefined;
  return {
    owners: (manager) => authHostOwners({ kv: deps.store.kv, secret, ca, localBrowsers: workers.localBrowsers, manager, logger: deps.logger }),
    ...(workers.localBrowsers ? {} : { poolWanted: () => false }),
  };
}

export function isolationWiring(opts: { onBuilt?: (built: Built) => void; extra?: Partial<IsolationDeps> } = {}): { mounts: MountsOption } {
  return {
    mounts: (deps) => {
      const policy = { config: deps.config, sessions: deps.sessions, directoryFacts: deps.directoryFacts, now: Date.now };
      const built = buildIsolation({
        ...deps, controlsFor: isolationControls(policy), checkNavigation: isolationNavigationCheck(policy), egress: gatewayEgress(deps),
        // Workers share the public listener: a viewer may land on any of them, its browser is on one.
        egressProxy: () => gatewayProxy(deps), routeViewers: cluster.isWorker, ...workersRouting(deps), ...opts.extra,
      });
      opts.onBuilt?.(built);
      return built.mounts;
    },
  };
}

/** Several capabilities' mounts as one `mounts` option. */
export function combineMounts(...parts: Array<MountsOption | undefined>): MountsOption {
  return (deps) => parts.flatMap((p): AuthHostMount[] => (p ? p(deps) : []));
}
