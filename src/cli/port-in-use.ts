// Turns "address already in use" at startup into one line that names the port and the config key
// that moves it, instead of a stack trace. Pure: the caller prints the line and picks the exit code.
import type { ResolvedConfig } from '../config/load.ts';

interface ListenError {
  code?: unknown;
  port?: unknown;
  address?: unknown;
}

/** The one-line explanation for an EADDRINUSE / EACCES listen error, or null for any other error. */
export function listenFailure(cfg: ResolvedConfig, err: unknown): string | null {
  const e = (typeof err === 'object' && err !== null ? err : {}) as ListenError;
  if (e.code !== 'EADDRINUSE' && e.code !== 'EACCES') return null;
  const port = typeof e.port === 'number' ? e.port : null;
  const where = `${typeof e.address === 'string' ? e.address : ''}:${port ?? '?'}`;
  const key = port === null ? null : keyForPort(cfg, port);
  const file = cfg.sourcePath ? ` in ${cfg.sourcePath}` : '';
  const what = e.code === 'EADDRINUSE'
    ? `port ${port ?? '?'} is already in use (${where})`
    : `no permission to listen on ${where}`;
  const fix = key ? `change ${key}${file}` : `change the port${file}`;
  return `moatless: ${what}: stop what listens there or ${fix}`;
}

/** The config key whose value is `port`: a listener, the dev emulator or a dev sample app. */
export function keyForPort(cfg: ResolvedConfig, port: number): string | null {
  const portOf = (address: string) => Number(address.slice(address.lastIndexOf(':') + 1));
  const listener = cfg.server.listeners.findIndex((l) => portOf(l.address) === port);
  if (listener !== -1) return `server.listeners[${listener}].address`;
  if (cfg.dev?.entra && cfg.dev.entra.port === port) return 'dev.entra.port';
  const app = cfg.dev?.sampleApps.findIndex((a) => a.port === port) ?? -1;
  if (app !== -1) return `dev.sampleApps[${app}].port`;
  return null;
}
