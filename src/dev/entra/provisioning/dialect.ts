// The two PATCH dialects Entra's provisioning service speaks (reference/scim.md §1.4, §1.5, §1.8,
// §1.10): the default one, and the one an admin gets by appending `?aadOptscim062020` to the Tenant
// URL. Owns the exact PatchOp bodies. Must not decide *what* changed (the cycle does) or do I/O.
import { USER_PATHS, type JsonObject, type UserChange } from './mapping.ts';

export type Dialect = 'entra-legacy' | 'aadOptscim062020';

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export interface PatchOp {
  op: string;
  path?: string;
  value?: unknown;
}

const envelope = (ops: PatchOp[]): JsonObject => ({ schemas: [PATCH_OP_SCHEMA], Operations: ops });

/** A SCIM filter string literal (RFC 7644 §3.4.2.2: JSON string syntax). */
export function quote(value: string): string {
  return JSON.stringify(value);
}

/**
 * Default dialect: one operation per attribute, capitalised, path always present; `Add` for a
 * value that was empty, and active as the *string* "True"/"False" (MSDOC-COMPAT "Requests made to
 * disable users"). aadOptscim062020: lower-case; active a boolean; the filtered email path and
 * first-time values stay separate ops; every other change is batched into one path-less replace
 * whose value uses dotted keys (`name.givenName`). Cleared values are removed by path in both.
 */
export function userPatch(dialect: Dialect, changes: readonly UserChange[]): JsonObject {
  if (dialect === 'entra-legacy') {
    return envelope(changes.map((c): PatchOp => {
      const path = USER_PATHS[c.attr];
      if (c.to === null) return { op: 'Remove', path };
      const value = typeof c.to === 'boolean' ? (c.to ? 'True' : 'False') : c.to;
      return { op: c.from === null ? 'Add' : 'Replace', path, value };
    }));
  }
  const ops: PatchOp[] = [];
  const batch: JsonObject = {};
  for (const c of changes) {
    const path = USER_PATHS[c.attr];
    if (c.to === null) ops.push({ op: 'remove', path });
    else if (c.attr === 'active') ops.push({ op: 'replace', path, value: c.to });
    else if (c.from === null) ops.push({ op: 'add', path, value: c.to });
    else if (c.attr === 'email') ops.push({ op: 'replace', path, value: c.to });
    else batch[path] = c.to;
  }
  if (Object.keys(batch).length) ops.unshift({ op: 'replace', value: batch });
  return envelope(ops);
}

export function groupRenamePatch(dialect: Dialect, displayName: string): JsonObject {
  return envelope([{ op: dialect === 'entra-legacy' ? 'Replace' : 'replace', path: 'displayName', value: displayName }]);
}

/** Several members in one PATCH (gallery checklist: "multiple group memberships with a single PATCH"). */
export function memberAddPatch(dialect: Dialect, scimIds: readonly string[]): JsonObject {
  const value = scimIds.map((id) => ({ $ref: null, value: id }));
  return envelope([{ op: dialect === 'entra-legacy' ? 'Add' : 'add', path: 'members', value }]);
}

/**
 * Default dialect: `Remove` on `members` with a value list — which a strict RFC server reads as
 * "remove all members" (azure-docs issue #30826), the reason Moatless must treat it as targeted.
 * aadOptscim062020: one `remove` per member with a `members[value eq "…"]` filter path.
 */
export function memberRemovePatch(dialect: Dialect, scimIds: readonly string[]): JsonObject {
  if (dialect === 'entra-legacy') {
    return envelope([{ op: 'Remove', path: 'members', value: scimIds.map((id) => ({ $ref: null, value: id })) }]);
  }
  return envelope(scimIds.map((id) => ({ op: 'remove', path: `members[value eq ${quote(id)}]` })));
}
