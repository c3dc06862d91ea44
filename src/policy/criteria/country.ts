// `country`: the client's ISO 3166-1 alpha-2 country (from GeoIP, supplied in the facts), checked on
// every request, case-insensitively. An unknown country matches no country rule.
import type { Criterion } from './criterion.ts';
import { matchOne, toList } from './criterion.ts';
import { countryCodes } from '../country-codes.ts';

export const country: Criterion<'country', ReadonlySet<string>> = {
  kind: 'country',
  identity: false,
  source: 'countryHeader',
  compile(value, path, env) {
    const set = new Set<string>();
    let ok = true;
    toList(value).forEach((c, i) => {
      const code = c.toUpperCase();
      if (countryCodes.has(code)) set.add(code);
      else {
        ok = false;
        const hint = code === 'UK' ? ' (the United Kingdom is GB)' : '';
        env.error(Array.isArray(value) ? `${path}[${i}]` : path, `"${c}" is not an ISO 3166-1 alpha-2 country code${hint}`);
      }
    });
    return ok ? set : undefined;
  },
  match(set, facts, all) {
    const c = facts.request?.country;
    if (typeof c !== 'string') return false;
    return matchOne(set, c, all) || matchOne(set, c.toUpperCase(), all);
  },
  detail: (_s, facts) => `country ${facts.request?.country ?? 'unknown'}`,
  values: (set) => [...set],
};
