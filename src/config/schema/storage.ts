// Where Moatless keeps its state: an embedded SQLite file (default) or a shared PostgreSQL.
import { z } from 'zod';
import { durationMs, secretRef } from './common.ts';

export const storageSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('sqlite'), path: z.string().min(1).default('data/moatless.db') }),
  z.strictObject({
    kind: z.literal('postgres'), url: secretRef, schema: z.string().regex(/^[a-z_][a-z0-9_]*$/).optional(),
    poolSize: z.number().int().min(1).max(200).default(10),
    /** A query slower than this fails, and the request it serves is refused (503), never hung. */
    queryTimeout: durationMs.default(5000),
    /** The change feed reads the change log this often even when no NOTIFY arrives … */
    feedHeartbeat: durationMs.default(1000),
    /** … and a read slower than this, or none for this long, drops caches until it is back. */
    feedDeadline: durationMs.default(3000),
  }).refine((s) => s.feedDeadline > s.feedHeartbeat, { message: 'feedDeadline must be longer than feedHeartbeat', path: ['feedDeadline'] }),
]).default({ kind: 'sqlite', path: 'data/moatless.db' });
export type StorageConfig = z.infer<typeof storageSchema>;

export const loggingSchema = z.strictObject({
  level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  /** json: one JSON object a line; pretty: short human lines; auto: pretty on a terminal, else json. */
  format: z.enum(['auto', 'json', 'pretty']).default('auto'),
  /** Write one JSON line per access decision to stdout. */
  accessLog: z.boolean().default(true),
  /** Access and provisioning logs kept in the store for the dashboard. */
  retention: durationMs.default(30 * 86_400_000),
}).prefault({});

export const keysSchema = z.strictObject({
  /** Origin-assertion signing keys rotate this often … */
  rotateEvery: durationMs.default(42 * 86_400_000),
  /** … and the previous key stays published this long, so origins caching the JWKS never break. */
  overlap: durationMs.default(7 * 86_400_000),
}).prefault({});
