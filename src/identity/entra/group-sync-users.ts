// Emails for the users a group delta round names: `GET /users/{id}?$select=mail,userPrincipalName`
// per user (bounded concurrency, short-lived cache), and the user members of a nested group that
// joined or left another group (`/groups/{id}/transitiveMembers/microsoft.graph.user`). Must not
// revoke anything, or swallow errors other than "user no longer exists".
import { z } from 'zod';
import { normaliseEmail } from '../identity.ts';
import { GraphError, type GraphClient } from './graph-client.ts';

const userBody = z.object({ id: z.string().optional(), mail: z.string().nullish(), userPrincipalName: z.string().nullish() }).loose();

// Sessions carry `email` or, without it, `preferred_username` (the UPN): revoke under both.
const emailsOfUser = (u: z.infer<typeof userBody>): string[] =>
  [...new Set([u.mail, u.userPrincipalName].filter((e): e is string => typeof e === 'string' && e.includes('@')).map(normaliseEmail))];

const CONCURRENCY = 4;
const CACHE_TTL_MS = 60 * 60_000;
const CACHE_MAX = 10_000;

export interface UserEmailResolver {
  /** One entry per user found (deleted users are skipped), each that user's distinct emails. */
  emailsOf(userIds: ReadonlySet<string>, nestedGroupIds: ReadonlySet<string>): Promise<string[][]>;
}

export function createUserEmailResolver(graph: GraphClient, o: { now?: () => number } = {}): UserEmailResolver {
  const now = o.now ?? Date.now;
  const cache = new Map<string, { emails: string[]; at: number }>();
  const remember = (id: string, emails: string[]) => {
    // Map keeps insertion order: drop the oldest entry when full.
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(id, { emails, at: now() });
  };

  async function lookup(id: string): Promise<string[] | null> {
    const hit = cache.get(id);
    if (hit && now() - hit.at < CACHE_TTL_MS) return hit.emails;
    try {
      const parsed = userBody.safeParse(await graph.request('GET', `/users/${encodeURIComponent(id)}?$select=mail,userPrincipalName`));
      if (!parsed.success) throw new GraphError(200, 'invalid_response', 'Microsoft Graph returned a user without mail/userPrincipalName fields');
      const emails = emailsOfUser(parsed.data);
      remember(id, emails);
      return emails;
    } catch (err) {
      // A user deleted since the change has no sessions worth finding by this id.
      if (err instanceof GraphError && err.status === 404) return null;
      throw err;
    }
  }

  return {
    async emailsOf(userIds, nestedGroupIds) {
      const out: string[][] = [];
      for (const groupId of nestedGroupIds) {
        let members: unknown[];
        try {
          members = await graph.getAll(`/groups/${encodeURIComponent(groupId)}/transitiveMembers/microsoft.graph.user?$select=id,mail,userPrincipalName`);
        } catch (err) {
          // A nested group deleted since: its former members' changes arrive as their own links.
          if (err instanceof GraphError && err.status === 404) continue;
          throw err;
        }
        for (const m of members) {
          const parsed = userBody.safeParse(m);
          if (parsed.success && !(parsed.data.id && userIds.has(parsed.data.id))) out.push(emailsOfUser(parsed.data));
        }
      }
      const ids = [...userIds];
      for (let i = 0; i < ids.length; i += CONCURRENCY) {
        const batch = await Promise.all(ids.slice(i, i + CONCURRENCY).map(lookup));
        for (const emails of batch) if (emails) out.push(emails);
      }
      return out.filter((e) => e.length > 0);
    },
  };
}
