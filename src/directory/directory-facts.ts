// Live directory facts for the access proxy: is this email an active provisioned user, and which
// groups (by name) are they in. Owns: a short per-email cache that every replica drops as soon as
// a SCIM write announces `directory.changed` (provisioning-effects.ts), so a deactivation or a
// group change is seen on the very next request. The risk sync's per-user level (src/risk/) is
// read here too, so `riskLevel` is live like `directoryGroup`. Must not: write anything, or answer
// from a cache entry loaded before an invalidation it raced with.
import type { DirectoryFactsSource } from '../access/context.ts';
import type { DirectoryFacts, RiskLevel } from '../policy/types.ts';
import type { Store } from '../store/ports.ts';
import { DIRECTORY_CHANGED_TOPIC } from './provisioning-effects.ts';
import type { DirectoryChangedNotice } from './provisioning-effects.ts';

export interface DirectoryFactsOptions {
  /** Upper bound on staleness if a notice is lost; notices normally invalidate at once. */
  ttlMs?: number;
  now?: () => number;
  /** Entries kept at most; the oldest are dropped first. */
  maxEntries?: number;
}

interface Entry { facts: DirectoryFacts | undefined; at: number }

/** kv entry the risk sync sets after its first complete read: from then on "not listed" means risk `none`. */
export const RISK_SYNCED = { ns: 'risk', key: 'synced' } as const;

const LEVEL_ORDER: readonly RiskLevel[] = ['none', 'low', 'medium', 'high'];

/** The user's risk level as the risk sync last wrote it; undefined while no sync has completed. */
async function riskLevelOf(store: Pick<Store, 'directory' | 'kv'>, names: Iterable<string>): Promise<RiskLevel | undefined> {
  const rows = [];
  for (const name of new Set(names)) rows.push(...await store.directory.risk.findByUpn(name));
  if (rows.length === 0) return (await store.kv.get(RISK_SYNCED.ns, RISK_SYNCED.key)) === null ? undefined : 'none';
  // Two Entra objects with one UPN (a deleted and a new account): the stricter level wins.
  return rows.map((r) => r.level ?? 'none').reduce((a, b) => (LEVEL_ORDER.indexOf(b) > LEVEL_ORDER.indexOf(a) ? b : a), 'none' as RiskLevel);
}

/** Facts from the store, uncached: userName or primary email, in any directory. */
export async function loadDirectoryFacts(store: Pick<Store, 'directory' | 'kv'>, email: string): Promise<DirectoryFacts | undefined> {
  const key = email.trim().toLowerCase();
  const d = store.directory;
  const users = new Map<string, { directoryId: string; id: string; active: boolean; userName: string }>();
  for (const o of await d.users.findByEmail(key)) users.set(`${o.directoryId}/${o.id}`, o);
  // Entra maps userName ← userPrincipalName, which need not equal mail; sessions carry either.
  for (const dir of await d.directories.list()) {
    const u = await d.users.findByUserName(dir.id, key);
    if (u) users.set(`${dir.id}/${u.id}`, { directoryId: dir.id, id: u.id, active: u.active, userName: u.userName });
  }
  // Risk is keyed by UPN (= the directory userName); the session may carry the mail address instead.
  const riskLevel = await riskLevelOf(store, [key, ...[...users.values()].map((u) => u.userName.toLowerCase())]);
  // Not provisioned but rated by Entra ID Protection: the level alone (nothing to deactivate).
  if (users.size === 0) return riskLevel !== undefined && riskLevel !== 'none' ? { active: true, groups: [], riskLevel } : undefined;
  const active = [...users.values()].some((u) => u.active);
  const groups = new Set(await d.groups.groupNamesForEmail(key));
  for (const u of users.values()) {
    if (!u.active) continue; // an inactive account contributes no groups, as groupNamesForEmail does
    for (const g of await d.groups.groupsOfUser(u.directoryId, u.id)) groups.add(g.displayName);
  }
  return { active, groups: [...groups].sort(), ...(riskLevel !== undefined ? { riskLevel } : {}) };
}

export function createDirectoryFacts(store: Store, opts: DirectoryFactsOptions = {}): DirectoryFactsSource {
  const ttl = opts.ttlMs ?? 30_000;
  const now = opts.now ?? Date.now;
  const max = opts.maxEntries ?? 10_000;
  const cache = new Map<string, Entry>();
  let epoch = 0;
  const flush = (): void => {
    epoch++;
    cache.clear();
  };
  store.changes.subscribe(DIRECTORY_CHANGED_TOPIC, (payload) => {
    epoch++;
    const n = payload as Partial<DirectoryChangedNotice> | null;
    if (!n || n.all === true || !Array.isArray(n.emails)) return flush();
    for (const e of n.emails) if (typeof e === 'string') cache.delete(e.toLowerCase());
  });
  store.changes.onReconnect(flush);

  const load = async (key: string): Promise<DirectoryFacts | undefined> => {
    const started = epoch;
    const facts = await loadDirectoryFacts(store, key);
    if (started === epoch) {
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      cache.set(key, { facts, at: now() });
    }
    return facts;
  };
  // A hit is answered without a promise: on the proxy's path every request asks (issue 17).
  return (email) => {
    const key = email.trim().toLowerCase();
    const hit = cache.get(key);
    // Trusted only while the change feed is known to have delivered every notice (deadline).
    if (hit && now() - hit.at <= ttl && store.changes.isFresh()) return hit.facts;
    return load(key);
  };
}
