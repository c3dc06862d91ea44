// `ruleGroup`: matches when a named rule group (include/require/exclude of its own) matches. Groups
// are compiled once in the library and shared by reference; cycles are rejected there.
import type { Criterion } from './criterion.ts';
import { toList } from './criterion.ts';
import { matchRuleSet } from '../rule-set.ts';
import type { CompiledRuleGroup } from '../types.ts';

export const ruleGroup: Criterion<'ruleGroup', readonly CompiledRuleGroup[]> = {
  kind: 'ruleGroup',
  identity: false,
  compile(value, path, env) {
    const out: CompiledRuleGroup[] = [];
    let ok = true;
    toList(value).forEach((name, i) => {
      const at = Array.isArray(value) ? `${path}[${i}]` : path;
      if (!env.ruleGroups.has(name)) {
        ok = false;
        env.error(at, `unknown rule group "${name}"; known: ${[...env.ruleGroups.keys()].join(', ') || '(none)'}`);
        return;
      }
      const g = env.ruleGroups.get(name);
      if (g) out.push(g);
      else {
        ok = false;
        env.error(at, `rule group "${name}" is invalid (see its own errors)`);
      }
    });
    return ok ? out : undefined;
  },
  match: (groups, facts, all) => (all ? groups.every((g) => matchRuleSet(g.rules, facts)) : groups.some((g) => matchRuleSet(g.rules, facts))),
  detail: (groups) => `rule group ${groups.map((g) => g.name).join(', ')}`,
  values: (groups) => groups.map((g) => g.name),
  children: (groups) => groups,
};
