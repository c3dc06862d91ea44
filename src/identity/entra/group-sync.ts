// Re-authentication on group change for tenants without SCIM: polls Microsoft Graph group delta
// (`/groups/delta?$select=members`) for one Entra IdP, turns the users whose direct memberships
// changed into emails, and hands them to the group-change hook, which ends their sessions. Owns
// the stored deltaLink (kv `entra.groupDelta`, key = IdP id) and the poll timer. Must not revoke
// sessions itself, move the link forward after a failed round, or log tokens.
// Permissions (application): GroupMember.Read.All (delta) and User.Read.All (emails).
import { createLease } from '../../store/lease.ts';
import type { EntraIdpConfig } from '../../config/schema/identity.ts';
import type { KeyValueStore } from '../../store/ports.ts';
import type { GroupChangeHook, MembershipChange } from '../group-change.ts';
import type { GraphClient } from './graph-client.ts';
import { isSyncStateLost, LATEST_DELTA_PATH, readDeltaRound } from './group-sync-delta.ts';
import { createUserEmailResolver } from './group-sync-users.ts';

export const GROUP_DELTA_NAMESPACE = 'entra.groupDelta';

export interface GroupSyncLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface GraphGroupSyncDeps {
  idp: Pick<EntraIdpConfig, 'id' | 'reauthOnGroupChange' | 'groupChangePolling'>;
  graph: GraphClient;
  kv: KeyValueStore;
  hook: GroupChangeHook;
  logger: GroupSyncLogger;
  /** Poll period; default the IdP's `groupChangePolling`; 0 disables start(). */
  intervalMs?: number;
  now?: () => number;
}

export type GroupSyncOutcome = 'baseline' | 'synced' | 'resynced' | 'failed' | 'disabled';

export interface GroupSyncResult {
  outcome: GroupSyncOutcome;
  /** Users whose groups changed in this round (resolved to at least one email). */
  users: number;
  revoked: number;
}

export interface GraphGroupSync {
  /** One round; never throws (a failure is logged, the stored link kept, and retried next round). */
  runOnce(): Promise<GroupSyncResult>;
  /**
   * Runs a round now and then every interval (unref'd timer) while this replica holds the poller's
   * lease (one poller per IdP across replicas); no-op when polling is off.
   */
  start(): void;
  /** Stops the timer, waits for a running round and gives the lease up. */
  stop(): Promise<void>;
}

/** A stored link we will follow: a Graph group delta URL (the client also pins the Graph origin). */
const usableLink = (v: string | null): v is string => v !== null && /^https:\/\/|^http:\/\//.test(v) && v.includes('/groups/delta');

export function createGraphGroupSync(deps: GraphGroupSyncDeps): GraphGroupSync {
  const { idp, graph, kv, hook, logger } = deps;
  const intervalMs = deps.intervalMs ?? idp.groupChangePolling;
  const enabled = idp.reauthOnGroupChange && intervalMs > 0;
  const users = createUserEmailResolver(graph, deps.now ? { now: deps.now } : {});
  const log = { idp: idp.id };
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<GroupSyncResult> | null = null;
  const lease = createLease(kv, `entra.group-sync.${idp.id}`, Math.round(intervalMs * 1.5), deps.now ? { now: deps.now } : {});
  const tick = async (): Promise<void> => {
    try {
      if (await lease.hold()) await runOnce();
    } catch (err) {
      logger.error({ ...log, err: describe(err) }, 'entra group sync: could not take the poller lease');
    }
  };

  /** A fresh "from now" link; changes before it are not wanted (sessions started after them). */
  const baseline = async (): Promise<string> => (await readDeltaRound(graph, LATEST_DELTA_PATH)).deltaLink;

  async function round(): Promise<GroupSyncResult> {
    if (!enabled) return { outcome: 'disabled', users: 0, revoked: 0 };
    try {
      const stored = await kv.get(GROUP_DELTA_NAMESPACE, idp.id);
      if (!usableLink(stored)) {
        await kv.set(GROUP_DELTA_NAMESPACE, idp.id, await baseline());
        logger.info(log, 'entra group sync: tracking membership changes from now on');
        return { outcome: 'baseline', users: 0, revoked: 0 };
      }
      let delta;
      try {
        delta = await readDeltaRound(graph, stored);
      } catch (err) {
        if (!isSyncStateLost(err)) throw err;
        // The token expired or Graph lost its state: changes in the gap cannot be known, so they
        // end no sessions; those users keep their current groups until they sign in again.
        await kv.set(GROUP_DELTA_NAMESPACE, idp.id, await baseline());
        logger.warn({ ...log, code: (err as { code?: string }).code }, 'entra group sync: Graph no longer knows the delta token; restarted from now — membership changes since the last successful poll cannot be detected');
        return { outcome: 'resynced', users: 0, revoked: 0 };
      }
      const emails = await users.emailsOf(delta.userIds, delta.nestedGroupIds);
      const changes: MembershipChange[] = [...emails.flat()].map((email) => ({ email, idp: idp.id }));
      const revoked = changes.length > 0 ? await hook.onMembershipsChanged(changes) : 0;
      // Only after the hook ran: a failure before this line replays the same round next time.
      await kv.set(GROUP_DELTA_NAMESPACE, idp.id, delta.deltaLink);
      if (emails.length > 0) logger.info({ ...log, users: emails.length, revoked }, 'entra group sync: group memberships changed');
      return { outcome: 'synced', users: emails.length, revoked };
    } catch (err) {
      logger.error({ ...log, err: describe(err) }, 'entra group sync failed; the stored delta link is kept and retried next poll');
      return { outcome: 'failed', users: 0, revoked: 0 };
    }
  }

  const runOnce = (): Promise<GroupSyncResult> => {
    // Rounds never overlap: a slow Graph must not make two rounds read the same link.
    running ??= round().finally(() => { running = null; });
    return running;
  };

  return {
    runOnce,
    start() {
      if (!enabled || timer) return;
      void tick();
      timer = setInterval(() => void tick(), intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
      await lease.release().catch(() => undefined);
    },
  };
}

function describe(err: unknown): { name?: string; code?: string; status?: number; message: string } {
  if (!(err instanceof Error)) return { message: String(err) };
  const e = err as Error & { code?: unknown; status?: unknown };
  return { name: e.name, message: e.message, ...(typeof e.code === 'string' ? { code: e.code } : {}), ...(typeof e.status === 'number' ? { status: e.status } : {}) };
}
