// `ipList`: the client address in a named top-level list (`ipLists`), parsed once and shared.
import type { Criterion } from './criterion.ts';
import { toList } from './criterion.ts';
import { ipIn } from './ip-range.ts';
import type { IpRange } from '../cidr.ts';

export interface NamedRanges {
  readonly name: string;
  readonly ranges: readonly IpRange[];
}

export const ipList: Criterion<'ipList', readonly NamedRanges[]> = {
  kind: 'ipList',
  identity: false,
  compile(value, path, env) {
    const out: NamedRanges[] = [];
    let ok = true;
    toList(value).forEach((name, i) => {
      const ranges = env.ipLists.get(name);
      if (ranges) out.push({ name, ranges });
      else {
        ok = false;
        env.error(Array.isArray(value) ? `${path}[${i}]` : path, `unknown IP list "${name}"; known: ${[...env.ipLists.keys()].join(', ') || '(none)'}`);
      }
    });
    return ok ? out : undefined;
  },
  match: (lists, facts, all) => (all ? lists.every((l) => ipIn(l.ranges, facts)) : lists.some((l) => ipIn(l.ranges, facts))),
  detail: (_l, facts) => `ip ${String(facts.request?.ip)}`,
  values: (lists) => lists.map((l) => l.name),
};
