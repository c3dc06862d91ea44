// `group`: an IdP group, matched against the group ids from the token (Entra object ids) and the
// display names resolved at login, both case-insensitively (GUIDs have no case). Frozen at login.
import type { Criterion } from './criterion.ts';
import { listDetail, lowerSet, matchMany } from './criterion.ts';
import type { Facts } from '../types.ts';

function matchAllAcross(set: ReadonlySet<string>, facts: Facts): boolean {
  const id = facts.identity;
  if (!id) return false;
  for (const want of set) {
    const one = new Set([want]);
    if (!matchMany(one, id.groups, false, true) && !matchMany(one, id.groupNames, false, true)) return false;
  }
  return true;
}

export const group: Criterion<'group', ReadonlySet<string>> = {
  kind: 'group',
  identity: true,
  compile: (value) => lowerSet(value),
  match(set, facts, all) {
    const id = facts.identity;
    if (!id) return false;
    // Under `all` a value may be satisfied by an id and another by a name, so check per value.
    if (all && set.size > 1) return matchAllAcross(set, facts);
    return matchMany(set, id.groups, false, true) || matchMany(set, id.groupNames, false, true);
  },
  detail: (_set, facts) => (facts.identity ? listDetail(facts.identity.groupNames.length ? facts.identity.groupNames : facts.identity.groups, 'no groups') : 'no identity'),
  values: (set) => [...set],
};
