// Include / Require / Exclude semantics over compiled rules (Cloudflare Access rule types):
// Include is OR, Require is AND, Exclude is NOT. Shared by policies and rule groups. No allocation.
import type { CompiledRuleSet, Facts } from './types.ts';

export function matchRuleSet(rules: CompiledRuleSet, facts: Facts): boolean {
  let included = false;
  for (const r of rules.include) {
    if (r.test(facts)) {
      included = true;
      break;
    }
  }
  if (!included) return false;
  for (const r of rules.require) if (!r.test(facts)) return false;
  for (const r of rules.exclude) if (r.test(facts)) return false;
  return true;
}

