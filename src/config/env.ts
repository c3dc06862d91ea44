// The one place that reads the process environment; everything else receives it as an argument.
export function processEnv(): Readonly<Record<string, string | undefined>> {
  return process.env;
}

/** Set by the cluster primary on the one worker that polls Microsoft Graph (src/cli/cluster.ts). */
export const GRAPH_POLLER_ENV = 'MOATLESS_GRAPH_POLLER';

export function isGraphPollerWorker(env = processEnv()): boolean {
  return env[GRAPH_POLLER_ENV] === '1';
}

/** The config file: --config beats MOATLESS_CONFIG beats ./moatless.yaml. */
export function configPathFrom(flag: string | undefined, env = processEnv()): string {
  return flag ?? env['MOATLESS_CONFIG'] ?? 'moatless.yaml';
}
