// `claim: {name, value}`: an OIDC claim frozen at login. A scalar claim must equal the value; an
// array claim must contain it. Values compare as strings (`"5"` and `5` are the same), case-sensitively,
// because OIDC claim values are case-sensitive (OpenID Connect Core §5.1 leaves them opaque).
import type { Criterion } from './criterion.ts';
import { toList } from './criterion.ts';
import type { Facts } from '../types.ts';

export interface ClaimTest {
  readonly name: string;
  readonly value: string;
}

function scalar(v: unknown): string | undefined {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

function has(t: ClaimTest, facts: Facts): boolean {
  const claims = facts.identity?.claims;
  if (!claims || typeof claims !== 'object' || !Object.hasOwn(claims, t.name)) return false;
  const v = claims[t.name];
  if (Array.isArray(v)) return v.some((x) => scalar(x) === t.value);
  return scalar(v) === t.value;
}

export const claim: Criterion<'claim', readonly ClaimTest[]> = {
  kind: 'claim',
  identity: true,
  compile: (value) => toList(value).map((c) => ({ name: c.name, value: String(c.value) })),
  match: (tests, facts, all) => (all ? tests.every((t) => has(t, facts)) : tests.some((t) => has(t, facts))),
  detail(tests, facts) {
    const claims = facts.identity?.claims;
    if (!claims) return 'no identity';
    const names = [...new Set(tests.map((t) => t.name))];
    return names.map((n) => `${n}=${Object.hasOwn(claims, n) ? JSON.stringify(claims[n]) ?? 'undefined' : '(absent)'}`).join(', ');
  },
  values: (tests) => tests.map((t) => `${t.name}=${t.value}`),
};
