// `email`: the signed-in user's exact email address, case-insensitively. Frozen at login.
import type { Criterion } from './criterion.ts';
import { lowerSet, matchOne } from './criterion.ts';

export const email: Criterion<'email', ReadonlySet<string>> = {
  kind: 'email',
  identity: true,
  compile(value, path, env) {
    const set = lowerSet(value);
    for (const e of set) {
      if (!/^[^@\s]+@[^@\s]+$/.test(e)) env.error(path, `"${e}" is not an email address`);
    }
    return set;
  },
  match(set, facts, all) {
    const e = facts.identity?.email;
    if (typeof e !== 'string') return false;
    return matchOne(set, e, all) || matchOne(set, e.toLowerCase(), all);
  },
  detail: (_set, facts) => facts.identity?.email ?? 'no identity',
  values: (set) => [...set],
};
