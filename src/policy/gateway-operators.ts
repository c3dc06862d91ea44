// Compiles one Gateway condition leaf — selector + operator + value — into a test. Values are
// canonicalised once (lower-cased sets, parsed CIDRs, compiled RE2 patterns, resolved lists).
// `matches` uses RE2JS, a pure-JS port of RE2: matching is linear in the input, so a pattern in
// the config cannot stall the proxy (no backtracking). A fact the request does not have (no
// user, not resolved, CONNECT time) makes the leaf false whatever the operator: "is not" never
// matches traffic it knows nothing about.
import { RE2JS } from 're2js';
import { inRange, parseCidr, parseIp, type IpRange } from './cidr.ts';
import type { GatewayOperator, OperatorInput } from './gateway-language.ts';
import type { GatewaySelector } from './gateway-selectors/index.ts';
import type { CompiledCondition, GatewayFacts, GatewayReason, HostGate } from './gateway-types.ts';

export interface LeafEnv {
  /** `gateway.hostLists`, lower-cased. */
  readonly hostLists: ReadonlyMap<string, readonly string[]>;
  readonly ipLists: ReadonlyMap<string, readonly IpRange[]>;
  error(path: string, message: string): void;
}

type Predicate = (value: string) => boolean;
const NEGATED: ReadonlySet<GatewayOperator> = new Set(['isNot', 'notIn', 'notMatches', 'notInList']);

/** A hostname in canonical form: lower case, no trailing dot, no `*.` (domains include subdomains). */
export function canonicalHost(text: string): string {
  return text.trim().toLowerCase().replace(/^\*\./, '').replace(/\.$/, '');
}

/** True when host is one of the domains or a subdomain of one: walks the host's suffixes, O(labels). */
export function inDomains(domains: ReadonlySet<string>, host: string): boolean {
  let h = host;
  for (;;) {
    if (domains.has(h)) return true;
    const dot = h.indexOf('.');
    if (dot === -1) return false;
    h = h.slice(dot + 1);
  }
}

function setPredicate(sel: GatewaySelector, values: readonly string[]): Predicate {
  switch (sel.compare) {
    case 'domain': {
      const set = new Set(values.map(canonicalHost));
      return (v) => inDomains(set, v);
    }
    case 'folded': {
      const set = new Set(values.map((v) => (sel.kind === 'host' ? canonicalHost(v) : v.toLowerCase())));
      return (v) => set.has(v.toLowerCase());
    }
    default: {
      const set = new Set(values);
      return (v) => set.has(v);
    }
  }
}

function rangePredicate(ranges: readonly IpRange[]): Predicate {
  return (v) => {
    const ip = parseIp(v);
    if (!ip) return false;
    for (const r of ranges) if (inRange(ip, r)) return true;
    return false;
  };
}

function positive(sel: GatewaySelector, op: GatewayOperator, value: string | string[], path: string, env: LeafEnv): Predicate | undefined {
  const list = Array.isArray(value) ? value : [value];
  const at = (i: number) => (Array.isArray(value) ? `${path}[${i}]` : path);
  switch (op) {
    case 'matches':
    case 'notMatches': {
      if (sel.compare === 'ip') return void env.error(path, `${sel.kind} takes CIDR ranges or lists, not a regular expression`);
      try {
        const re = RE2JS.compile(list[0]!);
        return (v) => re.matcher(v).find();
      } catch (err) {
        return void env.error(path, `not a valid RE2 regular expression: ${(err as Error).message}`);
      }
    }
    case 'inList':
    case 'notInList': {
      const name = list[0]!;
      if (sel.lists === 'ip') {
        const ranges = env.ipLists.get(name);
        if (!ranges) return void env.error(path, `unknown IP list "${name}"; known: ${[...env.ipLists.keys()].join(', ') || '(none)'}`);
        return rangePredicate(ranges);
      }
      if (sel.lists === 'host') {
        const hosts = env.hostLists.get(name);
        if (!hosts) return void env.error(path, `unknown host list "${name}" (gateway.hostLists); known: ${[...env.hostLists.keys()].join(', ') || '(none)'}`);
        return setPredicate(sel, hosts);
      }
      return void env.error(path, `${sel.kind} has no lists; use in / notIn`);
    }
    default: {
      if (sel.compare === 'ip') {
        let ok = true;
        const ranges: IpRange[] = [];
        list.forEach((t, i) => {
          const r = parseCidr(t);
          if (!('error' in r)) return void ranges.push(r);
          ok = false;
          env.error(at(i), r.error);
        });
        return ok ? rangePredicate(ranges) : undefined;
      }
      if (sel.compare === 'enum') {
        const bad = list.findIndex((v) => !sel.values!.includes(v));
        if (bad !== -1) return void env.error(at(bad), `unknown ${sel.kind} "${list[bad]}"; one of ${sel.values!.join(', ')}`);
      }
      return setPredicate(sel, list);
    }
  }
}

/** host/domain is/in/inList: the leaf is false for every other host (gateway-index.ts). */
function hostGate(sel: GatewaySelector, op: GatewayOperator, value: string | string[], env: LeafEnv): HostGate | undefined {
  if ((sel.kind !== 'host' && sel.kind !== 'domain') || op === 'matches') return undefined;
  const names = op === 'inList' ? env.hostLists.get(String(value)) : Array.isArray(value) ? value : [value];
  if (!names) return undefined;
  const set = new Set(names.map(canonicalHost));
  return sel.kind === 'host' ? { exact: set, domains: new Set() } : { exact: new Set(), domains: set };
}

function describe(presented: string | readonly string[] | undefined): string {
  if (presented === undefined) return 'unknown';
  if (typeof presented === 'string') return presented.length > 200 ? `${presented.slice(0, 200)}…` : presented;
  if (presented.length === 0) return '(none)';
  const shown = presented.slice(0, 8).join(', ');
  return presented.length > 8 ? `${shown} (+${presented.length - 8} more)` : shown;
}

export function compileLeaf(sel: GatewaySelector, input: OperatorInput, path: string, env: LeafEnv): CompiledCondition | undefined {
  const op = (Object.keys(input) as GatewayOperator[]).find((k) => input[k] !== undefined)!;
  const value = input[op]!;
  const pred = positive(sel, op, value, `${path}.${op}`, env);
  if (!pred) return undefined;
  const negate = NEGATED.has(op);
  const hosts = negate ? undefined : hostGate(sel, op, value, env);
  const shown = Array.isArray(value) ? value.join(', ') : value;
  const test = (f: GatewayFacts): boolean => {
    const p = sel.presented(f);
    if (p === undefined) return false;
    let any = false;
    if (typeof p === 'string') any = pred(p);
    else for (const v of p) if (pred(v)) { any = true; break; }
    return negate ? !any : any;
  };
  return {
    stage: sel.stage,
    kinds: new Set([sel.kind]),
    namesDestination: sel.kind === 'destinationIp' && !negate,
    hosts,
    test,
    explain(f: GatewayFacts, out: GatewayReason[]): boolean {
      const matched = test(f);
      out.push({ code: `${sel.code}.${matched ? 'match' : 'no_match'}`, detail: `${sel.kind} ${op} ${shown}: ${describe(sel.presented(f))}` });
      return matched;
    },
  };
}
