// `loginMethod`: the id of the identity provider the user signed in with. Frozen at login.
import type { Criterion } from './criterion.ts';
import { knownNames, matchOne } from './criterion.ts';

export const loginMethod: Criterion<'loginMethod', ReadonlySet<string>> = {
  kind: 'loginMethod',
  identity: true,
  compile: (value, path, env) => knownNames(value, env.loginMethods, 'login method (identity provider id)', path, env),
  match: (set, facts, all) => matchOne(set, facts.identity?.idp, all),
  detail: (_set, facts) => facts.identity?.idp ?? 'no identity',
  values: (set) => [...set],
};
