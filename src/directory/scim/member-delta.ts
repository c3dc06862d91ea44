// Group membership changes as a delta, because a group may have 100,000 members and PATCH must not
// need the list (reference/scim.md §1.8). Owns composing successive member operations of one PATCH
// into one delta. Must not know whether the referenced users exist (the service decides that).
//
// The store applies a delta in this order: (1) `removeAll` or `replaceAll` clear the group,
// (2) `replaceAll` members are set, (3) `remove` ids are removed, (4) `add` refs are added
// idempotently. While `replaceAll` is set, later operations edit it and `add`/`remove` stay empty.

export interface MemberRef {
  value: string;
  $ref?: string;
  type?: string;
  display?: string;
}

export interface MemberDelta {
  add: MemberRef[];
  /** Member ids (`value`) to remove. */
  remove: string[];
  replaceAll?: MemberRef[];
  removeAll?: boolean;
}

export function emptyDelta(): MemberDelta {
  return { add: [], remove: [] };
}

export function isEmptyDelta(d: MemberDelta): boolean {
  return d.add.length === 0 && d.remove.length === 0 && d.replaceAll === undefined && d.removeAll !== true;
}

function union(list: MemberRef[], refs: MemberRef[]): MemberRef[] {
  const out = [...list];
  for (const ref of refs) {
    const at = out.findIndex((m) => m.value === ref.value);
    if (at === -1) out.push(ref);
    else out[at] = ref;
  }
  return out;
}

export function addMembers(d: MemberDelta, refs: MemberRef[]): MemberDelta {
  if (d.replaceAll !== undefined) return { ...d, replaceAll: union(d.replaceAll, refs) };
  const ids = new Set(refs.map((r) => r.value));
  return { ...d, add: union(d.add, refs), remove: d.remove.filter((id) => !ids.has(id)) };
}

export function removeMembers(d: MemberDelta, ids: string[]): MemberDelta {
  const gone = new Set(ids);
  if (d.replaceAll !== undefined) return { ...d, replaceAll: d.replaceAll.filter((m) => !gone.has(m.value)) };
  const remove = [...d.remove, ...ids.filter((id) => !d.remove.includes(id))];
  return { ...d, add: d.add.filter((m) => !gone.has(m.value)), remove: [...new Set(remove)] };
}

export function replaceMembers(refs: MemberRef[]): MemberDelta {
  return { add: [], remove: [], replaceAll: union([], refs) };
}

export function removeAllMembers(): MemberDelta {
  return { add: [], remove: [], removeAll: true };
}
