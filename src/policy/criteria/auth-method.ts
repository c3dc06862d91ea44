// `authMethod`: a value of the `amr` claim (RFC 8176 §2: `mfa`, `hwk`, `pwd`, `otp` …). Frozen at
// login. In Require a list needs every method: `[mfa, hwk]` is MFA *and* a hardware key.
import type { Criterion } from './criterion.ts';
import { listDetail, matchMany, toList } from './criterion.ts';

const RFC8176 = new Set(['face', 'fpt', 'geo', 'hwk', 'iris', 'kba', 'mca', 'mfa', 'otp', 'pin', 'pop', 'pwd', 'rba', 'retina', 'sc', 'sms', 'swk', 'tel', 'user', 'vbm', 'wia']);

export const authMethod: Criterion<'authMethod', ReadonlySet<string>> = {
  kind: 'authMethod',
  identity: true,
  compile(value, path, env) {
    const set = new Set(toList(value));
    for (const m of set) {
      if (!RFC8176.has(m)) env.warn(path, `"${m}" is not a registered amr value (RFC 8176 §2); it only matches if your IdP sends it verbatim`);
    }
    return set;
  },
  match: (set, facts, all) => matchMany(set, facts.identity?.amr, all, false),
  detail: (_set, facts) => (facts.identity ? `amr ${listDetail(facts.identity.amr, '(none)')}` : 'no identity'),
  values: (set) => [...set],
};
