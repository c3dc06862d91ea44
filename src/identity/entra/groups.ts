// Group memberships for an Entra sign-in: ids from the `groups` claim, or — on overage — from
// Microsoft Graph; display names from Graph in the same single call (policies and logs show names).
// Must not call the `_claim_sources` endpoint (it historically names Azure AD Graph, which is
// retired), and must never turn a failed lookup into "no groups" (fail closed).
import { z } from 'zod';
import { SignInError } from '../provider.ts';
import type { GraphClient } from './graph-client.ts';
import { GraphError } from './graph-errors.ts';

export interface GroupMembership {
  groups: string[];
  groupNames: string[];
}

export interface GroupsLogger {
  warn(obj: object, msg: string): void;
}

const groupItem = z.object({ id: z.string().min(1), displayName: z.string().nullable().optional() }).loose();

/**
 * Overage (id-token-claims-reference "groups overage claim"): `groups` is omitted and
 * `_claim_names.groups` points into `_claim_sources`.
 */
export function hasGroupsOverage(claims: Record<string, unknown>): boolean {
  const names = claims['_claim_names'];
  return claims['groups'] === undefined && typeof names === 'object' && names !== null && 'groups' in names;
}

/** The user's transitive groups with names: one Graph round trip per page of 999. */
export async function transitiveGroups(graph: GraphClient, oid: string): Promise<Map<string, string>> {
  const items = await graph.getAll(`/users/${encodeURIComponent(oid)}/transitiveMemberOf/microsoft.graph.group?$select=id,displayName&$top=999`);
  const out = new Map<string, string>();
  for (const raw of items) {
    const item = groupItem.safeParse(raw);
    if (!item.success) throw new GraphError(200, 'invalid_response', 'Microsoft Graph returned a group without an id');
    out.set(item.data.id, item.data.displayName || item.data.id);
  }
  return out;
}

function unavailable(err: unknown): SignInError {
  const why = err instanceof Error ? err.message : String(err);
  return new SignInError('groups_unavailable', `could not read your group memberships from Microsoft Graph: ${why}`, { cause: err });
}

/**
 * Resolves ids and names. With the `groups` claim the token's ids are authoritative (they honour
 * the app's "Security groups" setting) and Graph supplies names; a missing Graph (not configured,
 * or the app lacks the permission: 403) degrades to ids as names with a warning. With overage the
 * ids themselves come from Graph, so any Graph failure fails the sign-in. A transient failure
 * with the claim present fails too: a policy that excludes a group by name must not silently miss.
 */
export async function resolveGroups(
  claims: Record<string, unknown>,
  deps: { graph: GraphClient | null; oid: string; idp: string; logger?: GroupsLogger },
): Promise<GroupMembership> {
  const overage = hasGroupsOverage(claims);
  const raw = claims['groups'];
  if (!overage && raw === undefined) return { groups: [], groupNames: [] }; // the app sends no groups claim
  if (!overage && !Array.isArray(raw)) throw new SignInError('token_invalid', 'the groups claim is not an array');
  const tokenIds = Array.isArray(raw) ? raw.filter((g): g is string => typeof g === 'string') : [];

  if (!deps.graph) {
    if (overage) throw unavailable(new Error('the user is in too many groups for the token and no Graph access is configured'));
    deps.logger?.warn({ idp: deps.idp, groups: tokenIds.length }, 'entra: Microsoft Graph not configured; group names are shown as ids');
    return { groups: tokenIds, groupNames: tokenIds };
  }
  let names: Map<string, string>;
  try {
    names = await transitiveGroups(deps.graph, deps.oid);
  } catch (err) {
    const noPermission = err instanceof GraphError && err.status === 403;
    if (overage || !noPermission) throw unavailable(err);
    deps.logger?.warn({ idp: deps.idp, code: err.code }, 'entra: no Graph permission to read group names (grant GroupMember.Read.All); group names are shown as ids');
    return { groups: tokenIds, groupNames: tokenIds };
  }
  const ids = overage ? [...names.keys()] : tokenIds;
  return { groups: ids, groupNames: ids.map((id) => names.get(id) ?? id) };
}
