// `authContext`: Entra Conditional Access authentication context ids (c1…c99) satisfied at sign-in,
// from the `acrs` claim. A near-miss on this selector alone yields a step-up hint, not a plain deny
// (https://learn.microsoft.com/entra/identity-platform/developer-guide-conditional-access-authentication-context).
import type { Criterion } from './criterion.ts';
import { listDetail, matchMany, toList } from './criterion.ts';

const ENTRA_ID = /^c([1-9]|[1-9][0-9])$/;

export const authContext: Criterion<'authContext', ReadonlySet<string>> = {
  kind: 'authContext',
  identity: true,
  source: 'entraSignIn',
  compile(value, path, env) {
    const set = new Set(toList(value));
    for (const c of set) {
      if (!ENTRA_ID.test(c)) env.warn(path, `"${c}" is not an Entra authentication context id (c1-c99)`);
    }
    return set;
  },
  match: (set, facts, all) => matchMany(set, facts.identity?.acrs, all, false),
  detail: (_set, facts) => (facts.identity ? `acrs ${listDetail(facts.identity.acrs, '(none)')}` : 'no identity'),
  values: (set) => [...set],
};
