// What a committed SCIM change does to the rest of the system: revoke the sessions of deprovisioned
// users, ask the group-change hook to re-authenticate users whose membership changed, and announce
// `directory.changed` so every replica's directory-facts cache drops those users. Owns: collecting
// effects during a change and running them, idempotently. Must not: decide SCIM semantics.
//
// Ordering (reference/scim.md §5.5.1): session rows are revoked, and the revocation and directory
// notices written, inside the same transaction as the state change (applyInTx): a committed
// deactivation can never leave a live session row or go unannounced, and nothing can fail after
// the commit. The store delivers the notices to this replica right after the commit (its session
// cache and open connections) and to the others through the change feed. afterCommit only asks the
// group-change hook for re-authentications, whose failure is logged, never answered.
import { REVOKED_TOPIC, type RevocationNotice } from '../identity/sessions.ts';
import type { TxStore, UserRow } from '../store/ports.ts';
import { getDirectorySettings } from './directory-settings.ts';
import type { GroupChangeHook, ScimServiceDeps } from './scim-types.ts';

export const DIRECTORY_CHANGED_TOPIC = 'directory.changed';
export const DEPROVISION_REASON = 'scim_deprovision';
/** Above this many bytes of emails one notice says "flush everything" (by size, never by count). */
const MAX_NOTICE_BYTES = 64 * 1024;
/** Emails per revocation notice: keeps each change-log row small. */
const REVOKE_NOTICE_EMAILS = 500;

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

  /** Inside the change's transaction: the session rows die, and the notices commit, with it. */
  async applyInTx(tx: TxStore, now: number): Promise<void> {
    const revoked = [...this.#deprovisioned.values()].flatMap((u) => emailsOf(u));
    for (const email of revoked) await tx.sessions.revokeUser({ email }, DEPROVISION_REASON, now);
    for (let i = 0; i < revoked.length; i += REVOKE_NOTICE_EMAILS) {
      const emails = revoked.slice(i, i + REVOKE_NOTICE_EMAILS);
      const notice: RevocationNotice = { userKeys: [], emails, sessionIds: [], reason: DEPROVISION_REASON };
      await tx.changes.publish(REVOKED_TOPIC, notice);
    }
    if (this.#changed.size === 0 && !this.#all) return;
    const emails = [...this.#changed];
    const bytes = emails.reduce((n, e) => n + Buffer.byteLength(e) + 3, 0);
    const notice: DirectoryChangedNotice = this.#all || bytes > MAX_NOTICE_BYTES
      ? { directoryId: this.directoryId, emails: [], all: true }
      : { directoryId: this.directoryId, emails };
    await tx.changes.publish(DIRECTORY_CHANGED_TOPIC, notice);
  }

  /** After commit, before the response is sent: re-authentication of changed memberships. */
  async afterCommit(deps: Pick<ScimServiceDeps, 'groupChange' | 'logger'>): Promise<void> {
    await this.#notifyGroupChange(deps.groupChange, deps.logger);
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
