// Who is in scope for provisioning right now: Entra's "Sync only assigned users and groups" (the
// default for a custom app) or "Sync all users and groups" when no scope is given. Owns assignment
// resolution over the emulator's live Directory. Must not do I/O or remember anything between calls.
import type { Directory, DirectoryGroup, DirectoryUser } from '../directory.ts';

export interface ProvisioningScope {
  /** Groups assigned to the provisioning app, by object id or display name (case-insensitive). */
  groups: string[];
}

export interface ResolvedScope {
  /** In-scope users by object id, in directory order. */
  users: Map<string, DirectoryUser>;
  /** Groups to provision, in directory order. */
  groups: DirectoryGroup[];
  /** The object ids of a group's direct members that are in-scope users. */
  members(groupId: string): string[];
}

export function resolveScope(directory: Directory, scope: ProvisioningScope | undefined): ResolvedScope {
  const refs = scope ? new Set(scope.groups.map((g) => g.toLowerCase())) : undefined;
  const groups = directory.groups().filter((g) => !refs || refs.has(g.id) || refs.has(g.displayName.toLowerCase()));
  const users = new Map<string, DirectoryUser>();
  // Assignment through a group brings in its *direct* members only: Entra does not expand nested
  // groups for assignment or provisioning (MSDOC-HOW "Nested groups"; reference/scim.md §1.7).
  const source = refs ? groups.flatMap((g) => directUsers(directory, g.id)) : directory.users();
  for (const u of directory.users()) if (source.includes(u)) users.set(u.id, u);
  return {
    users,
    groups,
    members: (groupId) => directUsers(directory, groupId).filter((u) => users.has(u.id)).map((u) => u.id),
  };
}

function directUsers(directory: Directory, groupId: string): DirectoryUser[] {
  return directory.members(groupId).flatMap((m) => (m.kind === 'user' ? [m.user] : []));
}
