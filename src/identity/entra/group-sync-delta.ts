// Reading one Microsoft Graph delta round for group membership: follows `@odata.nextLink` through
// every page and captures the closing `@odata.deltaLink` (Graph "delta query overview"; reference
// §2.8), collecting which users and nested groups were added to or removed from any group. Built
// on GraphClient.request, so throttling and retries stay in one place. Must not store links,
// resolve emails or revoke anything (group-sync.ts does).
import { z } from 'zod';
import { GraphError, type GraphClient } from './graph-client.ts';

/** First request of a sync "from now": no objects, only a deltaLink (delta query overview, "latest"). */
export const LATEST_DELTA_PATH = '/groups/delta?$select=members&$deltatoken=latest';

const memberLink = z.object({ '@odata.type': z.string().optional(), id: z.string().min(1), '@removed': z.unknown().optional() }).loose();
const deltaPage = z.object({
  value: z.array(z.object({ id: z.string().min(1), 'members@delta': z.array(memberLink).optional() }).loose()),
  '@odata.nextLink': z.string().optional(),
  '@odata.deltaLink': z.string().optional(),
}).loose();

export interface DeltaRound {
  /** Object ids of users added to or removed from a group. */
  userIds: Set<string>;
  /** Object ids of groups added to or removed from another group (their members' groups changed too). */
  nestedGroupIds: Set<string>;
  /** Where the next round starts. */
  deltaLink: string;
}

// Far more than any tenant needs at 100+ groups a page; a loop this long is a misbehaving server.
const MAX_PAGES = 1000;

/** Follows a delta link to its end; throws GraphError when any page fails (the caller keeps the old link). */
export async function readDeltaRound(graph: GraphClient, start: string): Promise<DeltaRound> {
  const userIds = new Set<string>();
  const nestedGroupIds = new Set<string>();
  let next = start;
  for (let page = 0; page < MAX_PAGES; page++) {
    const parsed = deltaPage.safeParse(await graph.request('GET', next));
    if (!parsed.success) throw new GraphError(200, 'invalid_response', 'Microsoft Graph returned a delta page without a value array');
    for (const group of parsed.data.value) {
      for (const m of group['members@delta'] ?? []) {
        // Additions and removals (`@removed`) both change the user's groups; either ends sessions.
        if (m['@odata.type'] === '#microsoft.graph.group') nestedGroupIds.add(m.id);
        else if (m['@odata.type'] === undefined || m['@odata.type'] === '#microsoft.graph.user') userIds.add(m.id);
      }
    }
    const deltaLink = parsed.data['@odata.deltaLink'];
    if (deltaLink !== undefined) return { userIds, nestedGroupIds, deltaLink };
    const nextLink = parsed.data['@odata.nextLink'];
    if (nextLink === undefined) throw new GraphError(200, 'invalid_response', 'Microsoft Graph ended a delta round without a deltaLink');
    next = nextLink;
  }
  throw new GraphError(0, 'invalid_response', `Microsoft Graph delta paging did not end after ${MAX_PAGES} pages`);
}

/** Graph's answers for a delta token it no longer knows: start again (delta query overview; errors). */
export function isSyncStateLost(err: unknown): boolean {
  return err instanceof GraphError && (err.status === 410 || err.code === 'syncStateNotFound' || err.code === 'resyncRequired');
}
