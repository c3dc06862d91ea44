// The one place that reads the process environment; everything else receives it as an argument.
export function processEnv(): Readonly<Record<string, string | undefined>> {
  return process.env;
}

/** The config file: --config beats MOATLESS_CONFIG beats ./moatless.yaml. */
export function configPathFrom(flag: string | undefined, env = processEnv()): string {
  return flag ?? env['MOATLESS_CONFIG'] ?? 'moatless.yaml';
}
