// Step-up: which Entra authentication contexts would make a rule set match, when nothing but
// `authContext` rules stand in the way. The proxy then re-runs sign-in asking for those contexts
// (OIDC `claims` request for `acrs`), instead of refusing a user who could satisfy Conditional Access.
import type { CompiledRule, CompiledRuleSet, Facts } from './types.ts';

function merge(into: string[], more: readonly string[]): void {
  for (const v of more) if (!into.includes(v)) into.push(v);
}

/** [] when the rule matches now, the contexts that would make it match, or null if none would. */
function ruleNeeds(rule: CompiledRule, facts: Facts): string[] | null {
  if (rule.test(facts)) return [];
  if (rule.kind === 'authContext') {
    const have = facts.identity?.acrs ?? [];
    // Under Require every listed context is needed; in Include one suffices, so ask for the first.
    return rule.all ? rule.values.filter((v) => !have.includes(v)) : rule.values.slice(0, 1);
  }
  if (rule.kind === 'ruleGroup' && rule.groups) {
    const needs: string[] = [];
    for (const g of rule.groups) {
      const n = contextsNeeded(g.rules, facts);
      if (rule.all) {
        if (n === null) return null;
        merge(needs, n);
      } else if (n !== null) return n;
    }
    return rule.all ? needs : null;
  }
  return null;
}

/** The contexts that would make `rules` match ([] if it matches already), or null when none would. */
export function contextsNeeded(rules: CompiledRuleSet, facts: Facts): string[] | null {
  let needs: string[] | null = null;
  for (const r of rules.include) {
    const n = ruleNeeds(r, facts);
    if (n !== null && (needs === null || n.length < needs.length)) needs = n;
    if (needs !== null && needs.length === 0) break;
  }
  if (needs === null) return null;
  for (const r of rules.require) {
    const n = ruleNeeds(r, facts);
    if (n === null) return null;
    merge(needs, n);
  }
  for (const r of rules.exclude) {
    if (r.test(facts)) return null;
    // Asking for a context that an exclude rule rejects would only trade one deny for another.
    if (r.kind === 'authContext' && r.values.some((v) => needs.includes(v))) return null;
  }
  return needs;
}
