// The contract every Gateway selector implements: where its fact comes from (and from which stage
// it exists) and how configured values compare with it. Operators (../gateway-operators.ts) are
// generic over this description, so a selector file is a few lines of data plus one accessor.
import type { GatewayFacts, GatewaySelectorKind, GatewayStage } from '../gateway-types.ts';

/**
 * - `text`: exact, case-sensitive (URL, path, query; Cloudflare's URL is case-sensitive);
 * - `folded`: exact after lower-casing both sides (email, group names, method);
 * - `domain`: the value or any subdomain of it;
 * - `ip`: CIDR ranges and `ipLists`;
 * - `enum`: one of `values`.
 */
export type Comparison = 'text' | 'folded' | 'domain' | 'ip' | 'enum';

export interface GatewaySelector<K extends GatewaySelectorKind = GatewaySelectorKind> {
  readonly kind: K;
  /** Reason-code prefix: `gateway.<code>.match` / `.no_match`. */
  readonly code: string;
  /** The earliest stage the fact exists in. */
  readonly stage: GatewayStage;
  readonly compare: Comparison;
  /** Allowed values for `enum`. */
  readonly values?: readonly string[];
  /** Which named lists `inList` reads: hostLists or ipLists. Absent: no list operators. */
  readonly lists?: 'host' | 'ip';
  /** The presented value(s), or undefined when the fact is unknown (no user, not resolved, CONNECT time). */
  presented(facts: GatewayFacts): string | readonly string[] | undefined;
}
