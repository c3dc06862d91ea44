// The provisioning engine: what Entra's provisioning service does to a SCIM endpoint, driven by the
// emulator's live Directory (MSDOC-HOW "Initial cycle", "Incremental cycles"; reference/scim.md §1).
// Owns the object-id → SCIM-id mapping, what was last sent, cycle order and counting. Must not
// stop a cycle on one object's failure (Entra retries it next cycle) nor run two cycles at once.
import type { Directory, DirectoryGroup, DirectoryUser } from '../directory.ts';
import { memberAddPatch, memberRemovePatch, groupRenamePatch, quote, userPatch, type Dialect } from './dialect.ts';
import { errorCode, ProvisioningError } from './errors.ts';
import { emptySummary, type CycleKind, type CycleSummary, type ProvisioningLog } from './log.ts';
import { diffUser, groupCreateBody, mapUser, userAttrsFromScim, userCreateBody, type UserAttrs } from './mapping.ts';
import type { ScimHttp } from './scim-http.ts';
import { resolveScope, type ProvisioningScope, type ResolvedScope } from './scope.ts';

export interface EngineLogger {
  warn(obj: object, msg?: string): void;
}

export interface EngineDeps {
  directory: Directory;
  http: ScimHttp;
  dialect: Dialect;
  scope: ProvisioningScope | undefined;
  memberChunkSize: number;
  now: () => Date;
  log: ProvisioningLog;
  logger: EngineLogger | undefined;
}

interface UserState {
  scimId: string;
  /** What the target holds, as far as this client knows (last sent, or read at the probe). */
  sent: UserAttrs;
}

interface GroupState {
  scimId: string;
  displayName: string;
  /** Emulator user object id → SCIM user id, for the members this client added. */
  members: Map<string, string>;
}

interface Cycle {
  kind: CycleKind;
  dialect: Dialect;
  scope: ResolvedScope;
  summary: CycleSummary;
}

export class ProvisioningEngine {
  readonly #d: EngineDeps;
  readonly #users = new Map<string, UserState>();
  readonly #groups = new Map<string, GroupState>();
  #scope: ProvisioningScope | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(deps: EngineDeps) {
    this.#d = deps;
    this.#scope = deps.scope;
  }

  setScope(scope: ProvisioningScope | undefined): void {
    this.#scope = scope;
  }

  /** The SCIM id this client uses for an emulator object (user or group), if it has provisioned it. */
  scimId(objectId: string): string | undefined {
    const id = objectId.toLowerCase();
    return this.#users.get(id)?.scimId ?? this.#groups.get(id)?.scimId;
  }

  runCycle(kind: 'initial' | 'incremental'): Promise<CycleSummary> {
    return this.#serial(async () => {
      const c = this.#begin(kind, this.#d.dialect);
      // Users first, so group member PATCHes can name their SCIM ids (MSDOC-HOW "Initial cycle").
      for (const user of c.scope.users.values()) await this.#guard(c, user.id, () => this.#syncUser(c, user));
      for (const [id, st] of this.#users) {
        if (!c.scope.users.has(id) && st.sent.active) await this.#guard(c, id, () => this.#deactivate(c, id, st));
      }
      for (const group of c.scope.groups) await this.#guard(c, group.id, () => this.#syncGroup(c, group, undefined));
      for (const [id, st] of [...this.#groups]) {
        if (!c.scope.groups.some((g) => g.id === id)) await this.#guard(c, id, () => this.#deleteGroup(c, id, st));
      }
      return this.#end(c);
    });
  }

  /**
   * One user now, and their memberships of in-scope groups. On-demand provisioning ignores the
   * aadOptscim062020 flag (MSDOC-COMPAT), so it always speaks the default dialect.
   */
  provisionOnDemand(ref: string): Promise<CycleSummary> {
    return this.#serial(async () => {
      const user = this.#d.directory.user(ref);
      if (!user) throw new ProvisioningError('unknown_user', `no user "${ref}" in the emulator directory`);
      const c = this.#begin('on-demand', 'entra-legacy');
      const st = this.#users.get(user.id);
      if (c.scope.users.has(user.id)) await this.#guard(c, user.id, () => this.#syncUser(c, user));
      else if (st?.sent.active) await this.#guard(c, user.id, () => this.#deactivate(c, user.id, st));
      for (const group of c.scope.groups) {
        const tracked = this.#groups.get(group.id)?.members.has(user.id) ?? false;
        if (tracked || c.scope.members(group.id).includes(user.id)) {
          await this.#guard(c, group.id, () => this.#syncGroup(c, group, user.id));
        }
      }
      return this.#end(c);
    });
  }

  /** Resolves when every queued cycle has finished. */
  idle(): Promise<void> {
    return this.#queue.then(() => undefined, () => undefined);
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #begin(kind: CycleKind, dialect: Dialect): Cycle {
    const scope = resolveScope(this.#d.directory, this.#scope);
    return { kind, dialect, scope, summary: emptySummary(kind, this.#d.now().toISOString()) };
  }

  #end(c: Cycle): CycleSummary {
    c.summary.finishedAt = this.#d.now().toISOString();
    return c.summary;
  }

  async #guard(c: Cycle, objectId: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      c.summary.errors += 1;
      this.#d.logger?.warn({ objectId, code: errorCode(err), err: err instanceof Error ? err.message : String(err) }, 'provisioning: object failed; retried next cycle');
    }
  }

  /** The one matching hit of a probe; more than one is an error Entra reports, never guesses at. */
  async #probe(kind: 'user' | 'group', objectId: string, value: string): Promise<Record<string, unknown> | undefined> {
    const { resources, entry } = await this.#d.http.query(kind === 'user'
      ? { method: 'GET', path: '/Users', query: [['filter', `userName eq ${quote(value)}`]], operation: 'probe-user', objectId }
      // Entra's group probe excludes members: a group may have 100,000 of them (reference/scim.md §1.7).
      : { method: 'GET', path: '/Groups', query: [['excludedAttributes', 'members'], ['filter', `displayName eq ${quote(value)}`]], operation: 'probe-group', objectId });
    if (resources.length > 1) {
      entry.result = 'failure';
      entry.error = 'ambiguous_match';
      throw new ProvisioningError('ambiguous_match', `${resources.length} ${kind}s match ${quote(value)}`);
    }
    return resources[0];
  }

  async #syncUser(c: Cycle, user: DirectoryUser): Promise<void> {
    const desired = mapUser(user);
    let st = this.#users.get(user.id);
    // The initial cycle re-matches every object by its matching attribute; later cycles trust the mapping.
    if (!st || c.kind === 'initial') {
      const hit = await this.#probe('user', user.id, desired.userName);
      if (!hit) {
        const created = await this.#d.http.create({ method: 'POST', path: '/Users', body: userCreateBody(desired), operation: 'create-user', objectId: user.id });
        this.#users.set(user.id, { scimId: created.id, sent: desired });
        c.summary.created += 1;
        return;
      }
      const sent = userAttrsFromScim(hit);
      if (!sent || typeof hit['id'] !== 'string') throw new ProvisioningError('scim_invalid_response', 'probe hit has no id or userName');
      st = { scimId: hit['id'], sent };
      this.#users.set(user.id, st);
    }
    await this.#patchUser(c, user.id, st, desired);
  }

  /** Out of scope (unassigned) → soft delete, Entra's default when SkipOutOfScopeDeletions is off. */
  async #deactivate(c: Cycle, objectId: string, st: UserState): Promise<void> {
    await this.#patchUser(c, objectId, st, { ...st.sent, active: false });
  }

  async #patchUser(c: Cycle, objectId: string, st: UserState, desired: UserAttrs): Promise<void> {
    const changes = diffUser(st.sent, desired);
    if (!changes.length) return;
    const disabling = st.sent.active && !desired.active;
    await this.#d.http.send({
      method: 'PATCH', path: `/Users/${encodeURIComponent(st.scimId)}`, body: userPatch(c.dialect, changes),
      operation: disabling ? 'disable-user' : 'update-user', objectId,
    });
    st.sent = desired;
    if (disabling) c.summary.disabled += 1;
    else c.summary.updated += 1;
  }

  /** Creates or renames the group and reconciles the members this client manages; `onlyUser` limits that to one user. */
  async #syncGroup(c: Cycle, group: DirectoryGroup, onlyUser: string | undefined): Promise<void> {
    let st = this.#groups.get(group.id);
    let readdAll = false;
    if (!st || (c.kind === 'initial' && onlyUser === undefined)) {
      const hit = await this.#probe('group', group.id, group.displayName);
      if (!hit) {
        const created = await this.#d.http.create({ method: 'POST', path: '/Groups', body: groupCreateBody(group), operation: 'create-group', objectId: group.id });
        st = { scimId: created.id, displayName: group.displayName, members: new Map() };
        c.summary.groupsCreated += 1;
      } else {
        if (typeof hit['id'] !== 'string') throw new ProvisioningError('scim_invalid_response', 'probe hit has no id');
        // The probe excluded members, so the target's list is unknown: add them all (adds are idempotent).
        st = { scimId: hit['id'], displayName: typeof hit['displayName'] === 'string' ? hit['displayName'] : group.displayName, members: st?.members ?? new Map() };
        readdAll = true;
      }
      this.#groups.set(group.id, st);
    }
    const path = `/Groups/${encodeURIComponent(st.scimId)}`;
    if (st.displayName !== group.displayName) {
      await this.#d.http.send({ method: 'PATCH', path, body: groupRenamePatch(c.dialect, group.displayName), operation: 'update-group', objectId: group.id });
      st.displayName = group.displayName;
      c.summary.groupsUpdated += 1;
    }
    const wanted = c.scope.members(group.id).filter((id) => (onlyUser === undefined || id === onlyUser) && this.#users.has(id));
    const adds = wanted.filter((id) => readdAll || !st.members.has(id));
    const removes = [...st.members.keys()].filter((id) => (onlyUser === undefined || id === onlyUser) && !wanted.includes(id));
    for (const chunk of chunks(adds, this.#d.memberChunkSize)) {
      const ids = chunk.map((id) => this.#users.get(id)?.scimId ?? '');
      await this.#d.http.send({ method: 'PATCH', path, body: memberAddPatch(c.dialect, ids), operation: 'add-members', objectId: group.id });
      chunk.forEach((id, i) => st.members.set(id, ids[i] ?? ''));
      c.summary.membersAdded += chunk.length;
    }
    for (const chunk of chunks(removes, this.#d.memberChunkSize)) {
      const ids = chunk.map((id) => st.members.get(id) ?? '');
      await this.#d.http.send({ method: 'PATCH', path, body: memberRemovePatch(c.dialect, ids), operation: 'remove-members', objectId: group.id });
      for (const id of chunk) st.members.delete(id);
      c.summary.membersRemoved += chunk.length;
    }
  }

  /** Groups have no soft delete: one out of scope is deleted (404 means it is already gone). */
  async #deleteGroup(c: Cycle, objectId: string, st: GroupState): Promise<void> {
    await this.#d.http.send({ method: 'DELETE', path: `/Groups/${encodeURIComponent(st.scimId)}`, operation: 'delete-group', objectId }, true);
    this.#groups.delete(objectId);
    c.summary.groupsDeleted += 1;
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
