// The directory's write path for writers other than the SCIM endpoint (the risk sync): the same
// transaction helper, provisioning effects (change notices to every replica, re-authentication on
// group change, deprovisioning) and store calls SCIM uses, without a SCIM request. Owns: finding or
// creating a group by exact display name. Must not: know why a writer changes members.
import type { TxStore } from '../store/ports.ts';
import { GROUP, GROUP_SCHEMA, normalizeResource } from './scim/index.ts';
import type { ProvisioningEffects } from './provisioning-effects.ts';
import { inChange } from './scim-change.ts';
import { applyDelta } from './scim-groups.ts';
import { newId, storedJson } from './scim-meta.ts';
import type { ScimServiceDeps } from './scim-types.ts';

export type DirectoryWriteDeps = Pick<ScimServiceDeps, 'store' | 'sessions' | 'groupChange' | 'logger'>;

/** Runs `fn` in one directory transaction; its effects apply after commit, before this resolves. */
export function writeDirectory<T>(deps: DirectoryWriteDeps, directoryId: string, now: number, fn: (tx: TxStore, fx: ProvisioningEffects) => Promise<T>): Promise<T> {
  // Without If-Match, as SCIM: a clash with a concurrent writer is retried, never surfaced.
  return inChange(deps, { directoryId, baseUrl: '', now }, `${directoryId}\nrisk-sync`, fn);
}

/** The group's id, creating an empty group when no group has this display name (case-insensitive, as SCIM's uniqueness is). */
export async function ensureGroup(tx: TxStore, directoryId: string, displayName: string, now: number): Promise<string> {
  const found = await tx.directory.groups.list(directoryId, {
    filter: { op: 'eq', path: { attr: 'displayname' }, value: displayName }, startIndex: 1, count: 2, withMembers: false,
  });
  const existing = found.items[0];
  if (existing) return existing.id;
  const { resource } = normalizeResource({ schemas: [GROUP_SCHEMA], displayName }, GROUP);
  const id = newId();
  await tx.directory.groups.create(directoryId, { id, externalId: null, displayName, raw: storedJson(resource), version: 1, createdAt: now, lastModified: now });
  return id;
}

/** Adds and removes users (by directory id) with SCIM's effects; ids not in the directory are skipped. */
export async function changeMembers(tx: TxStore, fx: ProvisioningEffects, directoryId: string, groupId: string, add: string[], remove: string[], now: number): Promise<void> {
  if (add.length === 0 && remove.length === 0) return;
  await applyDelta(tx, fx, directoryId, groupId, { add, remove, modifiedAt: now });
}
