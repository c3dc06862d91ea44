// The contract every selector implements, plus the set-matching helpers most of them share.
// A criterion compiles its config value once (validating, canonicalising) and then matches facts
// without allocating. It must not throw on odd facts: a missing or malformed fact is a non-match.
import type { RuleValue, SelectorKind } from '../language.ts';
import type { CompiledRuleGroup, Facts } from '../types.ts';
import type { IpRange } from '../cidr.ts';

/**
 * Where a selector's facts come from, for the selectors whose facts exist only when something is
 * configured: the risk sync (`riskLevel`), a trusted proxy's country header (`country`), an Entra
 * sign-in (`authContext`, the `acrs` claim), service tokens (`anyServiceToken`). Every other selector
 * reads the sign-in identity, the client address or the SCIM directory, which always exist.
 */
export type FactSource = 'riskSync' | 'countryHeader' | 'entraSignIn' | 'serviceTokens';

/** What a criterion may look up while compiling: the shared library and the known names. */
export interface CompileEnv {
  readonly ruleGroups: ReadonlyMap<string, CompiledRuleGroup | null>;
  readonly ipLists: ReadonlyMap<string, readonly IpRange[]>;
  readonly serviceTokens: ReadonlySet<string>;
  readonly loginMethods: ReadonlySet<string>;
  /**
   * What a missing fact source needs, phrased to follow "<selector> needs " (e.g. "the risk sync
   * (a `risk:` section), which is not configured"), or undefined when the source is there. Omitted:
   * every source counts as there. A rule whose facts nothing feeds is refused: it could never match.
   */
  missingSource?(source: FactSource): string | undefined;
  error(path: string, message: string): void;
  warn(path: string, message: string): void;
}

export interface Criterion<K extends SelectorKind, C> {
  readonly kind: K;
  /** True when the fact is frozen at login (Cloudflare: "checked at login"), false when live. */
  readonly identity: boolean;
  /** Set when the selector's facts exist only if something is configured (see FactSource). */
  readonly source?: FactSource;
  /** Returns the canonical form, or undefined after reporting errors through `env.error`. */
  compile(value: RuleValue<K>, path: string, env: CompileEnv): C | undefined;
  /** `all` is true inside Require: every listed value must match, not just one. */
  match(compiled: C, facts: Facts, all: boolean): boolean;
  /** What the request presented, for reasons and traces; never a secret. */
  detail(compiled: C, facts: Facts): string;
  /** Canonical configured values, for traces and step-up. */
  values(compiled: C): string[];
  /** Rule groups referenced (only `ruleGroup`). */
  children?(compiled: C): readonly CompiledRuleGroup[];
}

export function toList<T>(value: T | readonly T[]): readonly T[] {
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

export function lowerSet(value: string | readonly string[]): ReadonlySet<string> {
  return new Set(toList(value).map((v) => v.trim().toLowerCase()));
}

/** One presented value (an email, an IdP id) against the configured set. */
export function matchOne(set: ReadonlySet<string>, presented: unknown, all: boolean): boolean {
  if (typeof presented !== 'string') return false;
  // Under `all` a single value can only equal every configured value if there is just one.
  if (all && set.size !== 1) return false;
  return set.has(presented);
}

/** Many presented values (groups, amr) against the configured set. `fold` lower-cases them first. */
export function matchMany(set: ReadonlySet<string>, presented: unknown, all: boolean, fold: boolean): boolean {
  if (!Array.isArray(presented)) return false;
  if (!all) {
    for (const p of presented) {
      if (typeof p !== 'string') continue;
      if (set.has(p) || (fold && set.has(p.toLowerCase()))) return true;
    }
    return false;
  }
  for (const want of set) {
    let found = false;
    for (const p of presented) {
      if (typeof p === 'string' && (p === want || (fold && p.toLowerCase() === want))) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

/** Short human rendering of a presented list for details (bounded: traces are read by humans). */
export function listDetail(presented: unknown, none: string): string {
  if (!Array.isArray(presented) || presented.length === 0) return none;
  const shown = presented.slice(0, 8).map(String).join(', ');
  return presented.length > 8 ? `${shown} (+${presented.length - 8} more)` : shown;
}

/** Checks configured names against the known ones, reporting each unknown name. */
export function knownNames(value: string | readonly string[], known: ReadonlySet<string>, what: string, path: string, env: CompileEnv): ReadonlySet<string> | undefined {
  let ok = true;
  const list = toList(value);
  list.forEach((name, i) => {
    if (known.has(name)) return;
    ok = false;
    const at = Array.isArray(value) ? `${path}[${i}]` : path;
    env.error(at, `unknown ${what} "${name}"; known: ${[...known].join(', ') || '(none)'}`);
  });
  return ok ? new Set(list) : undefined;
}
