// What a committed SCIM change does to the rest of the system: revoke the sessions of deprovisioned
// users, ask the group-change hook to re-authenticate users whose membership changed, and announce
// `directory.changed` so every replica's directory-facts cache drops those users. Owns: collecting
// effects during a change and running them, idempotently. Must not: decide SCIM semantics.
//
// Ordering (reference/scim.md §5.5.1): session rows are revoked inside the same transaction as the
// state change (applyInTx), so a committed deactivation can never leave a live session row; after
// commit and before the response, SessionService clears this replica's cache synchronously and
// tells the others (afterCommit). Running either twice revokes nothing new and is harmless.
import type { SessionService } from '../identity/sessions.ts';
import type { Store, TxStore, UserRow } from '../store/ports.ts';
import { getDirectorySettings } from './directory-settings.ts';
import type { GroupChangeHook, ScimServiceDeps } from './scim-types.ts';

export const DIRECTORY_CHANGED_TOPIC = 'directory.changed';
export const DEPROVISION_REASON = 'scim_deprovision';
/** Above this many emails one notice says "flush everything" (PG NOTIFY payloads are ≤ 8000 bytes). */
const MAX_NOTICE_EMAILS = 50;

export interface DirectoryChangedNotice {
  directoryId: string;
  emails: string[];
  /** True when too many users changed to list: drop every cached entry. */
  all?: boolean;
}

type UserLike = Pick<UserRow, 'id' | 'userName' | 'email'>;

/** The session emails a directory user may have signed in with: userName and primary email. */
export function emailsOf(u: Pick<UserRow, 'userName' | 'email'>): string[] {
  const out = new Set<string>();
  for (const e of [u.userName, u.email]) if (e) out.add(e.trim().toLowerCase());
  return [...out];
}

export class ProvisioningEffects {
  readonly directoryId: string;
  readonly #deprovisioned = new Map<string, UserLike>();
  readonly #membership = new Map<string, UserLike>();
  readonly #changed = new Set<string>();
  #all = false;

  constructor(directoryId: string) {
    this.directoryId = directoryId;
  }

  deprovision(u: UserLike): void {
    this.#deprovisioned.set(u.id, u);
    this.changed(u);
  }

  membershipChanged(u: UserLike): void {
    this.#membership.set(u.id, u);
    this.changed(u);
  }

  changed(u: Pick<UserRow, 'userName' | 'email'>): void {
    for (const e of emailsOf(u)) this.#changed.add(e);
  }

  /** Too many users to name (e.g. a 100,000-member group deleted): every cache entry goes. */
  changedAll(): void {
    this.#all = true;
  }

  get deprovisionedIds(): string[] {
    return [...this.#deprovisioned.keys()];
  }

  /**
   * After member removals: users left in no group of this directory are deprovisioned when the
   * directory's `deprovisionOnNoGroups` is on. Costs one query per removed user, not per member.
   */
  async checkNoGroups(tx: TxStore, removedUserIds: string[]): Promise<void> {
    if (removedUserIds.length === 0) return;
    const settings = await getDirectorySettings(tx.kv, this.directoryId);
    if (!settings.deprovisionOnNoGroups) return;
    for (const id of removedUserIds) {
      if ((await tx.directory.groups.groupsOfUser(this.directoryId, id)).length > 0) continue;
      const u = await tx.directory.users.get(this.directoryId, id);
      if (u) this.deprovision(u);
    }
  }

  /** Inside the change's transaction: the session rows die with the same commit. */
  async applyInTx(tx: TxStore, now: number): Promise<void> {
    for (const u of this.#deprovisioned.values()) {
      for (const email of emailsOf(u)) await tx.sessions.revokeUser({ email }, DEPROVISION_REASON, now);
    }
  }

  /** After commit, before the response is sent. Revocation failures propagate (fail closed). */
  async afterCommit(deps: Pick<ScimServiceDeps, 'sessions' | 'groupChange' | 'logger'> & { store: Store }): Promise<void> {
    await revokeAll(deps.sessions, this.#deprovisioned.values());
    await this.#notifyGroupChange(deps.groupChange, deps.logger);
    if (this.#changed.size === 0 && !this.#all) return;
    const notice: DirectoryChangedNotice = this.#all || this.#changed.size > MAX_NOTICE_EMAILS
      ? { directoryId: this.directoryId, emails: [], all: true }
      : { directoryId: this.directoryId, emails: [...this.#changed] };
    await deps.store.changes.publish(DIRECTORY_CHANGED_TOPIC, notice);
  }

  async #notifyGroupChange(hook: GroupChangeHook | undefined, logger: ScimServiceDeps['logger']): Promise<void> {
    if (!hook) return;
    // Already signed out for good: the deprovisioned.
    const changes = [...this.#membership.values()].filter((u) => !this.#deprovisioned.has(u.id)).flatMap((u) => emailsOf(u).map((email) => ({ email })));
    if (changes.length === 0) return;
    try {
      await hook.onMembershipsChanged(changes);
    } catch (err) {
      // The membership change itself is committed; a failed re-auth must not make Entra retry it.
      logger?.error({ err, directoryId: this.directoryId }, 'group-change hook failed');
    }
  }
}

async function revokeAll(sessions: SessionService, users: Iterable<UserLike>): Promise<void> {
  const emails = [...users].flatMap((u) => emailsOf(u));
  if (emails.length > 0) await sessions.revokeUsers(emails, DEPROVISION_REASON);
}
