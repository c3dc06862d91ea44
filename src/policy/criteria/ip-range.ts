// `ipRange`: the client address in an IPv4 or IPv6 CIDR range, checked on every request.
import type { Criterion } from './criterion.ts';
import { toList } from './criterion.ts';
import { inRange, parseCidr, parseIp, type IpRange } from '../cidr.ts';
import type { Facts } from '../types.ts';

export function compileRanges(list: readonly string[], path: (i: number) => string, error: (path: string, message: string) => void): IpRange[] | undefined {
  const out: IpRange[] = [];
  let ok = true;
  list.forEach((text, i) => {
    const r = parseCidr(text);
    if ('error' in r) {
      ok = false;
      error(path(i), r.error);
    } else out.push(r);
  });
  return ok ? out : undefined;
}

export function ipIn(ranges: readonly IpRange[], facts: Facts): boolean {
  const ip = parseIp(facts.request?.ip);
  if (!ip) return false;
  for (const r of ranges) if (inRange(ip, r)) return true;
  return false;
}

export const ipRange: Criterion<'ipRange', readonly IpRange[]> = {
  kind: 'ipRange',
  identity: false,
  compile(value, path, env) {
    const list = toList(value);
    return compileRanges(list, (i) => (Array.isArray(value) ? `${path}[${i}]` : path), env.error.bind(env));
  },
  match(ranges, facts, all) {
    if (!all) return ipIn(ranges, facts);
    const ip = parseIp(facts.request?.ip);
    return ip !== null && ranges.every((r) => inRange(ip, r));
  },
  detail: (_r, facts) => (parseIp(facts.request?.ip) ? `ip ${facts.request.ip}` : `unparseable ip ${JSON.stringify(facts.request?.ip)}`),
  values: (ranges) => ranges.map((r) => r.text),
};
