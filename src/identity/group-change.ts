// Re-authentication on group change (Cloudflare's "group membership change reauthentication"):
// when SCIM or Graph reports that a user's groups changed, end that user's sessions if their
// identity provider asks for it (`reauthOnGroupChange`), so the next request signs in again and
// reads the new groups. Must not decide what changed (the caller does) or touch the store directly.
import type { IdentityProviderConfig } from '../config/schema/identity.ts';
import type { SessionService } from './sessions.ts';

export const GROUP_CHANGE_REASON = 'group_change';

export interface MembershipChange {
  email: string;
  userKey?: string;
  /** The IdP the user signs in with, when the caller knows it. */
  idp?: string;
}

export interface GroupChangeHook {
  /** Revokes the user's sessions when the option applies; resolves to how many were revoked. */
  onMembershipChanged(change: MembershipChange): Promise<number>;
  /** The same for many users of one change (a group PATCH), with one notice to the replicas. */
  onMembershipsChanged(changes: readonly MembershipChange[]): Promise<number>;
}

export interface GroupChangeDeps {
  sessions: Pick<SessionService, 'revokeUser' | 'revokeUsers'>;
  /** The live IdP list (a function, so a config reload is seen without rebuilding the hook). */
  idpConfigs: readonly Pick<IdentityProviderConfig, 'id' | 'reauthOnGroupChange'>[] | (() => readonly Pick<IdentityProviderConfig, 'id' | 'reauthOnGroupChange'>[]);
}

export function createGroupChangeHook(deps: GroupChangeDeps): GroupChangeHook {
  const configs = () => (typeof deps.idpConfigs === 'function' ? deps.idpConfigs() : deps.idpConfigs);
  // An unknown IdP (SCIM does not say which one the user signs in with): any opt-in counts,
  // erring towards a fresh sign-in rather than stale groups.
  const applies = (change: MembershipChange) => {
    const list = configs();
    return change.idp !== undefined ? list.some((c) => c.id === change.idp && c.reauthOnGroupChange) : list.some((c) => c.reauthOnGroupChange);
  };
  return {
    async onMembershipsChanged(changes) {
      const emails = changes.filter(applies).map((c) => c.email);
      return emails.length > 0 ? deps.sessions.revokeUsers(emails, GROUP_CHANGE_REASON, 'if-revoked') : 0;
    },
    async onMembershipChanged(change) {
      if (!applies(change)) return 0;
      const email = change.email.trim().toLowerCase();
      if (!email && !change.userKey) return 0;
      return deps.sessions.revokeUser({ ...(email ? { email } : {}), ...(change.userKey ? { userKey: change.userKey } : {}) }, GROUP_CHANGE_REASON);
    },
  };
}
