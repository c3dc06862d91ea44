// Small schema pieces shared by every capability's config section: durations, secrets, hostnames.
import { z } from 'zod';
import { parseDuration } from '../duration.ts';

/** A duration string ("15m", "24h") parsed to milliseconds. */
export const durationMs = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `not a duration: "${text}" (use e.g. 30s, 15m, 8h, 7d)` });
    return z.NEVER;
  }
  return ms;
});

/**
 * A secret is never required to sit in the YAML file: `{ env: NAME }` reads an environment variable,
 * `{ file: path }` reads a file (Docker/Kubernetes secrets), a plain string is taken as is.
 * Resolution happens in load.ts, the only place that reads the environment.
 */
export const secretRef = z.union([
  z.string().min(1),
  z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment variable name') }),
  z.strictObject({ file: z.string().min(1) }),
]);
export type SecretRef = z.infer<typeof secretRef>;

const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export function isHostname(host: string): boolean {
  if (host.length === 0 || host.length > 253) return false;
  return host.split('.').every((label) => HOST_LABEL.test(label));
}

/** `host[:port]` for listeners. */
export const listenAddress = z.string().regex(/^(\[[0-9a-fA-F:]+\]|[0-9A-Za-z.-]+):\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:8080');

export const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });
