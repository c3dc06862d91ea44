// Builds the Entra-shaped identity claims for a user and client (id-token-claims-reference):
// oid, tid, ver, preferred_username, name, email, groups or the overage form, acrs. Pure apart
// from reading the directory; must not sign anything or decide which claims were requested.
import type { Directory, DirectoryUser } from './directory.ts';
import type { FixtureClient } from './fixture.ts';

export interface ClaimsInput {
  directory: Directory;
  user: DirectoryUser;
  client: Pick<FixtureClient, 'groupMembershipClaims'>;
  tenantId: string;
  graphUrl: string;
  overageThreshold: number;
  /** Authentication contexts satisfied in this sign-in and requested by the client. */
  acrs: readonly string[];
}

export type GroupsClaims =
  | { groups: string[] }
  | { _claim_names: { groups: string }; _claim_sources: Record<string, { endpoint: string }> }
  | Record<string, never>;

/**
 * The `groups` claim: transitive group object ids, filtered by the app's `groupMembershipClaims`.
 * Above the overage limit (200 for JWTs) Entra omits `groups` and points at Graph instead.
 */
export function groupsClaims(input: Omit<ClaimsInput, 'acrs'>): GroupsClaims {
  const mode = input.client.groupMembershipClaims;
  if (mode === 'None') return {};
  const groups = input.directory
    .transitiveMemberOf(input.user.id)
    .filter((g) => mode === 'All' || g.securityEnabled)
    .map((g) => g.id);
  if (groups.length > input.overageThreshold) {
    return {
      _claim_names: { groups: 'src1' },
      _claim_sources: { src1: { endpoint: `${input.graphUrl}/v1.0/users/${input.user.id}/getMemberObjects` } },
    };
  }
  return { groups };
}

/** Every claim the emulator can assert about the user; oidc-provider filters by scope and request. */
export function accountClaims(input: ClaimsInput): Record<string, unknown> {
  const { user } = input;
  return {
    ver: '2.0',
    tid: input.tenantId,
    oid: user.id,
    name: user.displayName,
    preferred_username: user.userPrincipalName,
    ...(user.mail ? { email: user.mail } : {}),
    ...groupsClaims(input),
    ...(input.acrs.length ? { acrs: [...input.acrs] } : {}),
  };
}
