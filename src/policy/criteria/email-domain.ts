// `emailDomain`: the exact domain after the last `@` of the user's email (no subdomain matching,
// so `contoso.com` does not admit `evil.contoso.com.attacker.net` or `eu.contoso.com`).
import type { Criterion } from './criterion.ts';
import { lowerSet, matchOne } from './criterion.ts';

export function domainOf(address: unknown): string | undefined {
  if (typeof address !== 'string') return undefined;
  const at = address.lastIndexOf('@');
  return at === -1 ? undefined : address.slice(at + 1).toLowerCase();
}

export const emailDomain: Criterion<'emailDomain', ReadonlySet<string>> = {
  kind: 'emailDomain',
  identity: true,
  compile(value, path, env) {
    const set = new Set([...lowerSet(value)].map((d) => (d.startsWith('@') ? d.slice(1) : d)));
    for (const d of set) {
      if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(d)) env.error(path, `"${d}" is not a domain name`);
    }
    return set;
  },
  match: (set, facts, all) => matchOne(set, domainOf(facts.identity?.email), all),
  detail: (_set, facts) => domainOf(facts.identity?.email) ?? 'no identity',
  values: (set) => [...set],
};
