// `userGroupNames`: the user's group names — the IdP groups resolved at sign-in and the live SCIM
// directory groups, which include the risk sync's `IdentityProtection-RiskyUser-RiskLevel-*`.
import type { GatewayFacts } from '../gateway-types.ts';
import type { GatewaySelector } from './selector.ts';

function groupNames(f: GatewayFacts): readonly string[] | undefined {
  if (!f.identity) return undefined;
  const live = f.directory?.groups;
  return live && live.length > 0 ? [...f.identity.groupNames, ...live] : f.identity.groupNames;
}

export const userGroupNames: GatewaySelector<'userGroupNames'> = {
  kind: 'userGroupNames',
  code: 'gateway.user_group_names',
  stage: 'connect',
  compare: 'folded',
  presented: groupNames,
};
