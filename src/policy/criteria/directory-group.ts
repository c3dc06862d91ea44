// `directoryGroup`: a SCIM-provisioned group name from the live directory facts, checked on every
// request, so removing a user from a group in Entra takes effect with the next provisioning push.
import type { Criterion } from './criterion.ts';
import { listDetail, lowerSet, matchMany } from './criterion.ts';

export const directoryGroup: Criterion<'directoryGroup', ReadonlySet<string>> = {
  kind: 'directoryGroup',
  identity: false,
  compile: (value) => lowerSet(value),
  match: (set, facts, all) => matchMany(set, facts.directory?.groups, all, true),
  detail: (_set, facts) => (facts.directory ? listDetail(facts.directory.groups, 'no directory groups') : 'user not in directory'),
  values: (set) => [...set],
};
