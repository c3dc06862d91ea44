// RiskGraph over the Entra Graph client (token cache, retries, Retry-After): riskyUsers read with
// `$top=500`, `$select` of only what the sync uses and nextLink paging, paced to Identity
// Protection's one request per second per tenant; groups found by exact name; members changed with
// `$batch` requests of ≤ 20 `$ref` operations whose items are judged one by one (reference §2.3,
// §2.6, §2.7). Refusals name the missing application permission. Must not decide membership.
import { z } from 'zod';
import { EntraTokenError, GraphError, type GraphClient } from '../identity/entra/graph-client.ts';
import type { MemberOp, MemberOpResult, PageProgress, RiskGraph } from './graph-port.ts';
import { RiskSyncError, type RiskyUser } from './types.ts';

export const RISKY_USERS_PAGE = 500;
const BATCH_LIMIT = 20;
const SELECT = 'id,userPrincipalName,riskLevel,riskState,isDeleted,riskLastUpdatedDateTime';
const MAX_PAGES = 10_000;
/** A page still throttled after the client's retries is tried again this many times, a second or more apart. */
const THROTTLED_PAGE_RETRIES = 5;

export const PERMISSIONS = {
  read: 'IdentityRiskyUser.Read.All',
  findGroups: 'GroupMember.Read.All',
  create: 'Group.Create',
  members: 'GroupMember.ReadWrite.All',
} as const;

const riskyItem = z.object({
  id: z.string().min(1),
  userPrincipalName: z.string().nullable().optional(),
  riskLevel: z.string(),
  riskState: z.string(),
  isDeleted: z.boolean().nullable().optional(),
  riskLastUpdatedDateTime: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a date-time'),
}).loose();
const page = z.object({ value: z.array(z.unknown()), '@odata.nextLink': z.string().optional() }).loose();
const idItem = z.object({ id: z.string().min(1), '@odata.type': z.string().optional(), displayName: z.string().nullable().optional() }).loose();
const batchReply = z.object({
  responses: z.array(z.object({ id: z.string(), status: z.number(), headers: z.record(z.string(), z.string()).optional(), body: z.unknown().optional() })),
});

export interface RiskGraphOptions {
  /** Minimum gap between Identity Protection requests; default 1000 ms (1 rps per tenant). */
  paceMs?: number;
  /** Rounds for batch items answered 429/5xx or with the replication 400; default 5. */
  itemAttempts?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A Graph or token failure as a RiskSyncError saying what to do; `permission` is what this call needs. */
export function explain(err: unknown, what: string, permission: string): RiskSyncError {
  if (err instanceof RiskSyncError) return err;
  if (err instanceof EntraTokenError) return new RiskSyncError('token_failed', `${err.message}${err.aadsts ? ` (${err.aadsts})` : ''}`, { cause: err });
  if (err instanceof GraphError) {
    if (err.status === 403) return new RiskSyncError('permission_missing', `Microsoft Graph refused to ${what} (403 ${err.code}): grant the application permission ${permission} to the app registration and give admin consent`, { cause: err });
    if (err.status === 401) return new RiskSyncError('unauthorized', `Microsoft Graph rejected the app token while trying to ${what} (401 ${err.code})`, { cause: err });
    if (err.code === 'invalid_response') return new RiskSyncError('invalid_response', `Microsoft Graph sent an unusable answer while trying to ${what}: ${err.message}`, { cause: err });
    return new RiskSyncError('graph_unavailable', `could not ${what}: ${err.message}${err.status ? ` (HTTP ${err.status})` : ''}`, { cause: err });
  }
  return new RiskSyncError('graph_unavailable', `could not ${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

const odataString = (s: string) => `'${s.replaceAll("'", "''")}'`;

export function createRiskGraph(graph: GraphClient & { graphBase?: string }, graphBase: string, opts: RiskGraphOptions = {}): RiskGraph {
  const paceMs = opts.paceMs ?? 1050;
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? defaultSleep;
  const random = opts.random ?? Math.random;
  const itemAttempts = opts.itemAttempts ?? 5;
  let nextRiskCall = 0;

  const paced = async () => {
    const wait = nextRiskCall - now();
    if (wait > 0) await sleep(wait);
  };

  async function readRiskyUsers(o: { since?: number; onPage?: (p: PageProgress) => void }): Promise<RiskyUser[]> {
    const q = [`$top=${RISKY_USERS_PAGE}`, `$select=${SELECT}`];
    // Graph's datetime literal is unquoted ISO 8601 (riskLastUpdatedDateTime ge 2024-01-01T00:00:00Z).
    if (o.since !== undefined) q.push(`$filter=${encodeURIComponent(`riskLastUpdatedDateTime ge ${new Date(o.since).toISOString()}`)}`);
    let next: string | undefined = `/identityProtection/riskyUsers?${q.join('&')}`;
    const out: RiskyUser[] = [];
    for (let n = 1; next !== undefined; n++) {
      if (n > MAX_PAGES) throw new RiskSyncError('invalid_response', `riskyUsers paging did not end after ${MAX_PAGES} pages`);
      await paced();
      // Counted from the send, with a margin over one second (paceMs): the service counts arrivals,
      // which keep about the spacing of the sends; counting from the answer would add every
      // page's serving time to the floor. A 429 from jitter is retried with backoff by the client.
      nextRiskCall = now() + paceMs;
      let body: unknown;
      for (let throttled = 0; ; throttled++) {
        try {
          body = await graph.request('GET', next);
          break;
        } catch (err) {
          // The client's own retries wait fractions of a second; Identity Protection's window is a
          // whole second and its 429s say nothing more, so wait at least that long before trying again.
          if (!(err instanceof GraphError && err.status === 429) || throttled >= THROTTLED_PAGE_RETRIES) {
            throw explain(err, `read riskyUsers (page ${n})`, PERMISSIONS.read);
          }
          await sleep(paceMs * (1 + throttled) + random() * paceMs);
          nextRiskCall = now() + paceMs;
        }
      }
      const p = page.safeParse(body);
      if (!p.success) throw new RiskSyncError('invalid_response', `riskyUsers page ${n} is not a Graph collection (malformed or truncated JSON)`);
      for (const raw of p.data.value) {
        const item = riskyItem.safeParse(raw);
        if (!item.success) throw new RiskSyncError('invalid_response', `riskyUsers page ${n} holds an item without id, riskLevel, riskState or riskLastUpdatedDateTime`);
        const i = item.data;
        out.push({
          id: i.id.toLowerCase(), userPrincipalName: i.userPrincipalName ?? '', riskLevel: i.riskLevel, riskState: i.riskState,
          isDeleted: i.isDeleted ?? false, riskLastUpdated: Date.parse(i.riskLastUpdatedDateTime),
        });
      }
      o.onPage?.({ page: n, items: out.length });
      next = p.data['@odata.nextLink'];
    }
    return out;
  }

  async function listIds(path: string, what: string, permission: string): Promise<z.infer<typeof idItem>[]> {
    let items: unknown[];
    try {
      items = await graph.getAll(path);
    } catch (err) {
      throw explain(err, what, permission);
    }
    return items.map((raw) => {
      const i = idItem.safeParse(raw);
      if (!i.success) throw new RiskSyncError('invalid_response', `Microsoft Graph returned an object without an id while trying to ${what}`);
      return i.data;
    });
  }

  /** One `$batch` round; items to retry come back with their wait. */
  async function batchRound(groupId: string, ops: readonly MemberOp[]): Promise<{ results: MemberOpResult[]; retry: MemberOp[]; waitMs: number }> {
    const requests = ops.map((o, i) => o.op === 'add'
      ? { id: String(i), method: 'POST', url: `/groups/${groupId}/members/$ref`, headers: { 'content-type': 'application/json' }, body: { '@odata.id': `${graphBase}/v1.0/directoryObjects/${o.userId}` } }
      : { id: String(i), method: 'DELETE', url: `/groups/${groupId}/members/${o.userId}/$ref` });
    let body: unknown;
    try {
      body = await graph.request('POST', '/$batch', { body: { requests } });
    } catch (err) {
      throw explain(err, 'change group members', PERMISSIONS.members);
    }
    const reply = batchReply.safeParse(body);
    if (!reply.success) throw new RiskSyncError('invalid_response', 'Microsoft Graph sent a $batch answer without responses');
    const results: MemberOpResult[] = [];
    const retry: MemberOp[] = [];
    let waitMs = 0;
    ops.forEach((o, i) => {
      const r = reply.data.responses.find((x) => x.id === String(i));
      const message = messageOf(r?.body);
      const status = r?.status ?? 0;
      const ok = status >= 200 && status < 300
        || (o.op === 'add' && status === 400 && /already exist/i.test(message))
        || (o.op === 'remove' && status === 404);
      if (ok) return void results.push({ ...o, outcome: 'done', status });
      if (o.op === 'add' && status === 404) return void results.push({ ...o, outcome: 'gone', status });
      if (status === 403) throw new RiskSyncError('permission_missing', `Microsoft Graph refused to change group members (403): grant the application permission ${PERMISSIONS.members} and give admin consent`);
      // Replication right after a create (group-post-members): "…objects being referenced do not exist".
      const retryable = !r || status === 429 || status >= 500 || (o.op === 'add' && status === 400 && /do not exist/i.test(message));
      if (retryable) {
        retry.push(o);
        const hinted = Number(Object.entries(r?.headers ?? {}).find(([k]) => k.toLowerCase() === 'retry-after')?.[1]);
        if (Number.isFinite(hinted) && hinted > 0) waitMs = Math.max(waitMs, hinted * 1000);
        return;
      }
      results.push({ ...o, outcome: 'failed', status, error: message || `HTTP ${status}` });
    });
    return { results, retry, waitMs };
  }

  return {
    readRiskyUsers,
    async findGroups(name) {
      const items = await listIds(`/groups?$filter=${encodeURIComponent(`displayName eq ${odataString(name)}`)}&$select=id,displayName`, `find group "${name}"`, PERMISSIONS.findGroups);
      // Graph's eq on displayName ignores case; the name must match exactly to be ours.
      return items.filter((g) => g.displayName === name).map((g) => ({ id: g.id, displayName: name }));
    },
    async createGroup(name) {
      try {
        const body = await graph.request('POST', '/groups', {
          body: { displayName: name, description: 'Kept in step with Entra ID Protection risky users by Moatless', mailEnabled: false, mailNickname: name, securityEnabled: true, groupTypes: [] },
        });
        const g = idItem.safeParse(body);
        if (!g.success) throw new RiskSyncError('invalid_response', `creating group "${name}" returned no id`);
        return { id: g.data.id };
      } catch (err) {
        throw explain(err, `create group "${name}"`, PERMISSIONS.create);
      }
    },
    async getGroup(id) {
      try {
        const g = idItem.safeParse(await graph.request('GET', `/groups/${encodeURIComponent(id)}?$select=id,displayName`));
        if (!g.success) throw new RiskSyncError('invalid_response', `reading group ${id} returned no id`);
        return { id: g.data.id, displayName: g.data.displayName ?? '' };
      } catch (err) {
        if (err instanceof GraphError && err.status === 404) return null;
        throw explain(err, `read group ${id}`, PERMISSIONS.findGroups);
      }
    },
    async groupUserIds(groupId) {
      const items = await listIds(`/groups/${groupId}/members/microsoft.graph.user?$select=id&$top=999`, 'list group members', PERMISSIONS.findGroups);
      return items.map((i) => i.id.toLowerCase());
    },
    async applyMembers(groupId, ops) {
      const out: MemberOpResult[] = [];
      for (let i = 0; i < ops.length; i += BATCH_LIMIT) {
        let pending: MemberOp[] = ops.slice(i, i + BATCH_LIMIT);
        for (let attempt = 1; pending.length > 0; attempt++) {
          const round = await batchRound(groupId, pending);
          out.push(...round.results);
          pending = round.retry;
          if (pending.length === 0) break;
          if (attempt >= itemAttempts) {
            out.push(...pending.map((o) => ({ ...o, outcome: 'failed' as const, status: 0, error: `still throttled or not replicated after ${attempt} tries` })));
            break;
          }
          // Retry-After when Graph sent one, else exponential backoff with jitter.
          await sleep(round.waitMs || Math.round(500 * 2 ** (attempt - 1) * (0.5 + random())));
        }
      }
      return out;
    },
  };
}

function messageOf(body: unknown): string {
  if (typeof body !== 'object' || body === null || !('error' in body)) return '';
  const e = (body as { error: unknown }).error;
  return typeof e === 'object' && e !== null && 'message' in e && typeof e.message === 'string' ? e.message : '';
}
