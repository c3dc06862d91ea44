// Schemas and dependencies every admin API route shares: the error body, list envelopes, paging
// query fields, time stamps. Owns: these shapes. Must not: hold route logic.
import { z } from 'zod';
import type { ConfigIssue } from '../../config/issues.ts';
import type { DirectoryFactsSource } from '../../access/context.ts';
import type { AccessRuntime } from '../../access/runtime.ts';
import type { SessionService } from '../../identity/sessions.ts';
import type { Store } from '../../store/ports.ts';
import type { ConfigWrites } from '../config-objects/writes.ts';
import type { ActiveSessionCount } from '../active-session-count.ts';

export interface ApiDeps {
  store: Store;
  sessions: SessionService;
  runtime: () => AccessRuntime;
  directoryFacts?: DirectoryFactsSource;
  now: () => number;
  /** The overview's active-session figure, shared with the metrics gauge (active-session-count.ts). */
  activeSessions: ActiveSessionCount;
  /** Writes of apps, policies and rule groups (absent where the process cannot apply them). */
  configWrites?: ConfigWrites;
  /** API objects left out of the served config (they no longer fit the file), with why. */
  notServed?: () => readonly ConfigIssue[];
  /** Outbound fetch for Entra and Graph calls made on an admin's behalf (tests route cloud hosts to the emulator). */
  idpFetch?: typeof fetch;
}

/** Lists answer at most this many items per page, whatever the client asks. */
export const MAX_PAGE = 500;

export const errorSchema = z.object({
  code: z.string().meta({ description: 'Stable machine-readable code, e.g. invalid_request, unauthenticated, csrf_rejected.' }),
  message: z.string(),
  details: z.array(z.object({ path: z.string().meta({ example: 'body.sessionId' }), message: z.string() })),
}).meta({ id: 'Error' });

export const paging = {
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50).meta({ description: `Page size, at most ${MAX_PAGE}.` }),
  cursor: z.string().max(512).optional().meta({ description: 'nextCursor of the previous page.' }),
};

export function pageOf<T extends z.ZodType>(item: T, id: string) {
  return z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().meta({ description: 'Pass as cursor for the next page; null on the last page.' }),
  }).meta({ id });
}

export const isoTime = z.iso.datetime().meta({ example: '2025-01-31T09:30:00.000Z' });
export const iso = (t: number): string => new Date(t).toISOString();
export const isoOrNull = (t: number | null): string | null => (t === null ? null : iso(t));

/** Epoch ms or an ISO date-time in a query string. */
export const timeQuery = z.union([z.coerce.number().int().min(0), z.iso.datetime().transform((s) => Date.parse(s))])
  .optional().meta({ description: 'Epoch milliseconds or an ISO 8601 date-time.' });
