// The `--scim-*` flags of `moatless dev entra`: parse them, then run an initial provisioning cycle
// and incremental cycles on an interval, printing one summary line per cycle. Owns flag validation
// and the interval syntax. Must never print the token.
import type { Directory } from '../directory.ts';
import { createProvisioningClient, formatSummary, ProvisioningError, type Dialect, type ProvisioningClient } from './index.ts';

export const SCIM_FLAGS: ReadonlySet<string> = new Set(['--scim-url', '--scim-token', '--scim-dialect', '--scim-interval']);
export const SCIM_USAGE = '[--scim-url URL --scim-token TOKEN [--scim-dialect legacy|compliant] [--scim-interval 40m]]';

export interface ScimCliOptions {
  url: string;
  token: string;
  dialect: Dialect | undefined;
  intervalMs: number;
}

/** Entra runs an incremental cycle roughly every 40 minutes (MSDOC-SCIM "Getting started"). */
export const DEFAULT_INTERVAL_MS = 40 * 60_000;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `500ms`, `40s`, `40m`, `1h` → milliseconds; at least one second so a typo cannot hammer the target. */
export function parseInterval(text: string): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(text.trim());
  const ms = m ? Number(m[1]) * (UNITS[m[2] ?? ''] ?? NaN) : NaN;
  if (!Number.isSafeInteger(ms) || ms < 1000) throw new ProvisioningError('invalid_option', `--scim-interval must be like 40s, 40m or 1h (at least 1s), got "${text}"`);
  return ms;
}

/** Undefined when no `--scim-*` flag was given; otherwise both URL and token are required. */
export function parseScimFlags(values: ReadonlyMap<string, string>): ScimCliOptions | undefined {
  if (values.size === 0) return undefined;
  const url = values.get('--scim-url');
  const token = values.get('--scim-token');
  if (!url || !token) throw new ProvisioningError('invalid_option', `--scim-url and --scim-token go together\nusage: moatless dev entra ${SCIM_USAGE}`);
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new ProvisioningError('invalid_option', `--scim-url must be an http(s) URL, got "${url}"`);
  const d = values.get('--scim-dialect');
  if (d !== undefined && d !== 'legacy' && d !== 'compliant') throw new ProvisioningError('invalid_option', `--scim-dialect must be legacy or compliant, got "${d}"`);
  const dialect: Dialect | undefined = d === undefined ? undefined : d === 'legacy' ? 'entra-legacy' : 'aadOptscim062020';
  const interval = values.get('--scim-interval');
  return { url, token, dialect, intervalMs: interval === undefined ? DEFAULT_INTERVAL_MS : parseInterval(interval) };
}

function describeInterval(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`;
}

/** Runs the initial cycle, prints its summary, then keeps incremental cycles going until `stop()`. */
export async function startCliProvisioning(directory: Directory, opts: ScimCliOptions, out: (line: string) => void): Promise<ProvisioningClient> {
  const client = createProvisioningClient({
    directory, scimBaseUrl: opts.url, token: opts.token, dialect: opts.dialect,
    onCycle: (s) => out(`scim           ${formatSummary(s)}`),
  });
  out(`scim           provisioning to ${new URL(opts.url).origin}${new URL(opts.url).pathname} (${client.dialect}, every ${describeInterval(opts.intervalMs)})`);
  out(`scim           ${formatSummary(await client.runInitialCycle())}`);
  client.startInterval(opts.intervalMs);
  return client;
}
