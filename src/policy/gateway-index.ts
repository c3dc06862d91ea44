// Keeps Gateway evaluation flat in the number of rules: most rules name the sites they are about
// (`host`/`domain` is/in/inList, alone or inside an `and`), and such a rule cannot match any other
// host. Each phase's rules are indexed by those names at compile time; a request then considers
// only the rules naming its host or a parent domain, plus the rules that name no host — still in
// configured order, so "first match wins" is unchanged. Pure.
import type { CompiledGatewayRule, HostGate } from './gateway-types.ts';

/** Below this many rules a phase is scanned as is: the index would cost more than it saves. */
const SMALL = 16;

export interface PhaseIndex {
  readonly rules: readonly CompiledGatewayRule[];
  /** Positions of the rules that name no host: candidates for every request. */
  readonly always: readonly number[];
  readonly exact: ReadonlyMap<string, readonly number[]>;
  readonly domains: ReadonlyMap<string, readonly number[]>;
}

function add(map: Map<string, number[]>, key: string, i: number): void {
  const list = map.get(key);
  if (!list) map.set(key, [i]);
  else if (list[list.length - 1] !== i) list.push(i);
}

export function indexPhase(rules: readonly CompiledGatewayRule[]): PhaseIndex {
  const always: number[] = [];
  const exact = new Map<string, number[]>();
  const domains = new Map<string, number[]>();
  rules.forEach((r, i) => {
    const g: HostGate | undefined = r.when.hosts;
    if (!g) return void always.push(i);
    for (const h of g.exact) add(exact, h, i);
    for (const d of g.domains) add(domains, d, i);
  });
  return { rules, always, exact, domains };
}

/** The rules of a phase that can match `host`, in configured order. */
export function candidates(ix: PhaseIndex, host: string): readonly CompiledGatewayRule[] {
  if (ix.rules.length <= SMALL) return ix.rules;
  const hits: (readonly number[])[] = [];
  const e = ix.exact.get(host);
  if (e) hits.push(e);
  // The host and each parent domain: O(labels), whatever the number of rules.
  for (let h = host; ;) {
    const d = ix.domains.get(h);
    if (d) hits.push(d);
    const dot = h.indexOf('.');
    if (dot === -1) break;
    h = h.slice(dot + 1);
  }
  if (hits.length === 0) return ix.always.map((i) => ix.rules[i]!);
  const positions = [...new Set([...ix.always, ...hits.flat()])].sort((a, b) => a - b);
  return positions.map((i) => ix.rules[i]!);
}
