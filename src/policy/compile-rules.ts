// Compiles include/require/exclude lists into `CompiledRule`s by dispatching each rule to its
// criterion. Shared by policies and rule groups. Reports through the env; never throws on config.
import type { Rule, SelectorKind } from './language.ts';
import { criteria, type CompileEnv, type Criterion } from './criteria/index.ts';
import { selectorCodes } from './reasons.ts';
import type { CompiledRule, CompiledRuleGroup, CompiledRuleSet } from './types.ts';

export interface RuleSetInput {
  include: readonly Rule[];
  require?: readonly Rule[] | undefined;
  exclude?: readonly Rule[] | undefined;
}

type Section = 'include' | 'require' | 'exclude';

function compileRule(rule: Rule, path: string, section: Section, env: CompileEnv, kinds: Set<SelectorKind>): CompiledRule | undefined {
  const keys = Object.keys(rule).filter((k) => (rule as Record<string, unknown>)[k] !== undefined);
  if (keys.length !== 1 || !Object.hasOwn(criteria, keys[0]!)) {
    env.error(path, `a rule takes exactly one selector, found ${keys.join(', ') || 'none'}`);
    return undefined;
  }
  const kind = keys[0] as SelectorKind;
  const criterion = criteria[kind] as Criterion<SelectorKind, unknown>;
  const rulePath = `${path}.${kind}`;
  kinds.add(kind);
  const missing = criterion.source && env.missingSource?.(criterion.source);
  if (missing) {
    env.error(rulePath, `${kind} needs ${missing}`);
    return undefined;
  }
  const compiled = criterion.compile((rule as Record<string, unknown>)[kind] as never, rulePath, env);
  if (compiled === undefined) return undefined;
  const groups = criterion.children?.(compiled);
  for (const g of groups ?? []) for (const k of g.kinds) kinds.add(k);
  // A rule group compiled where a source exists can still be used where it does not (one app's IdPs).
  const unfed = groups ? groupsMissingSources(groups, env) : [];
  for (const why of unfed) env.error(rulePath, why);
  if (unfed.length > 0) return undefined;
  const all = section === 'require';
  const values = criterion.values(compiled);
  const prefix = selectorCodes[kind];
  return {
    kind,
    path: rulePath,
    source: `${kind}: ${values.join(', ')}`,
    all,
    values,
    ...(groups ? { groups } : {}),
    test: (facts) => criterion.match(compiled, facts, all),
    reason: (facts, matched) => ({ code: `${prefix}.${matched ? 'match' : 'no_match'}`, detail: criterion.detail(compiled, facts) }),
  };
}

function groupsMissingSources(groups: readonly CompiledRuleGroup[], env: CompileEnv): string[] {
  const out: string[] = [];
  for (const g of groups) {
    for (const k of g.kinds) {
      const source = (criteria[k] as Criterion<SelectorKind, unknown>).source;
      const missing = source && env.missingSource?.(source);
      if (missing) out.push(`rule group "${g.name}" uses ${k}, which needs ${missing}`);
    }
  }
  return out;
}

/** `kinds` collects every selector used, following rule groups, for action restrictions. */
export function compileRuleSet(input: RuleSetInput, path: string, env: CompileEnv, kinds: Set<SelectorKind>): CompiledRuleSet {
  const section = (name: Section, list: readonly Rule[] | undefined): CompiledRule[] => {
    const out: CompiledRule[] = [];
    (list ?? []).forEach((rule, j) => {
      const r = compileRule(rule, `${path}.${name}[${j}]`, name, env, kinds);
      if (r) out.push(r);
    });
    return out;
  };
  if (input.include.length === 0) env.error(`${path}.include`, 'at least one include rule is required');
  return { include: section('include', input.include), require: section('require', input.require), exclude: section('exclude', input.exclude) };
}

/** Selector kinds one compiled rule brings in (itself, plus everything inside referenced rule groups). */
export function ruleKinds(rule: CompiledRule): ReadonlySet<SelectorKind> {
  if (!rule.groups) return new Set([rule.kind]);
  const out = new Set<SelectorKind>([rule.kind]);
  for (const g of rule.groups) for (const k of g.kinds) out.add(k);
  return out;
}
