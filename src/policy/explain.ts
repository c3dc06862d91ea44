// The human side of the engine, for `moatless policy test` and debug deny pages: a trace of every
// policy and every rule (no short-circuit), next to the decision `evaluate` makes. Slower than
// evaluate on purpose; never on the hot path.
import { formatDuration } from '../config/duration.ts';
import { evaluate } from './evaluate.ts';
import { contextsNeeded } from './step-up.ts';
import { matchRuleSet } from './rule-set.ts';
import { reasons } from './reasons.ts';
import type { AccessAction, CompiledRule, CompiledRuleSet, Decision, Facts, Reason, CompiledPolicySet } from './types.ts';

export interface RuleTrace {
  section: 'include' | 'require' | 'exclude';
  path: string;
  source: string;
  matched: boolean;
  reason: Reason;
  /** For `ruleGroup` rules: the referenced groups' own traces. */
  groups?: { name: string; matched: boolean; rules: RuleTrace[] }[];
}

export interface PolicyTrace {
  name: string;
  index: number;
  action: string;
  phase: number;
  matched: boolean;
  /** This policy made the decision. */
  decided: boolean;
  /** Evaluation ended before this policy (an earlier match, or sign-in needed). */
  reached: boolean;
  /** Contexts that would make this policy match, when only authContext rules fail. */
  stepUp?: string[];
  rules: RuleTrace[];
}

export interface Explanation<A extends string = AccessAction> {
  decision: Decision<A>;
  phases: readonly (readonly string[])[];
  /** In evaluation order (phase, then configured order). */
  policies: PolicyTrace[];
}

function traceRules(rules: CompiledRuleSet, facts: Facts): RuleTrace[] {
  const out: RuleTrace[] = [];
  const add = (section: RuleTrace['section'], list: readonly CompiledRule[]) => {
    for (const r of list) {
      const matched = r.test(facts);
      const t: RuleTrace = { section, path: r.path, source: r.source, matched, reason: r.reason(facts, matched) };
      if (r.groups) t.groups = r.groups.map((g) => ({ name: g.name, matched: matchRuleSet(g.rules, facts), rules: traceRules(g.rules, facts) }));
      out.push(t);
    }
  };
  add('include', rules.include);
  add('require', rules.require);
  add('exclude', rules.exclude);
  return out;
}

export function explain<A extends string = AccessAction>(set: CompiledPolicySet<A>, facts: Facts): Explanation<A> {
  const decision = evaluate(set, facts);
  const policies: PolicyTrace[] = [];
  // Once the decision is known, everything after the deciding policy (or the sign-in gate) was not reached.
  // An inactive directory user is refused before any phase runs.
  let reached = decision.reasons[0]?.code !== reasons.directoryInactive;
  set.byPhase.forEach((list, phase) => {
    if (phase === set.dialect.identityFromPhase && decision.action === 'authenticate') reached = false;
    for (const p of list) {
      const matched = matchRuleSet(p.rules, facts);
      const decided = decision.policy?.index === p.index;
      const t: PolicyTrace = { name: p.name, index: p.index, action: p.action, phase, matched, decided, reached, rules: traceRules(p.rules, facts) };
      if (!matched && p.usesAuthContext) {
        const needs = contextsNeeded(p.rules, facts);
        if (needs && needs.length > 0) t.stepUp = needs;
      }
      policies.push(t);
      if (decided) reached = false;
    }
  });
  return { decision, phases: set.dialect.phases, policies };
}

function ruleLines(rules: readonly RuleTrace[], indent: string): string[] {
  const lines: string[] = [];
  for (const r of rules) {
    const mark = r.matched ? 'yes' : 'no ';
    lines.push(`${indent}${r.section.padEnd(8)} ${mark}  ${r.source}  (${r.reason.code}${r.reason.detail ? `: ${r.reason.detail}` : ''})`);
    for (const g of r.groups ?? []) {
      lines.push(`${indent}  rule group "${g.name}": ${g.matched ? 'matches' : 'does not match'}`);
      lines.push(...ruleLines(g.rules, `${indent}    `));
    }
  }
  return lines;
}

/** Readable lines, decision first, e.g. for a terminal. */
export function formatExplanation(trace: Explanation<string>): string[] {
  const d = trace.decision;
  const by = d.policy ? ` by policy #${d.policy.index} "${d.policy.name}"` : '';
  const session = d.sessionDurationMs !== undefined ? `; session ${formatDuration(d.sessionDurationMs)}` : '';
  const lines = [`decision: ${d.action}${by}${session}`];
  for (const r of d.reasons) lines.push(`  ${r.code}${r.detail ? `: ${r.detail}` : ''}`);
  if (d.stepUp) lines.push(`  step-up: sign in again with authentication context ${d.stepUp.authContexts.join(', ')}`);
  trace.phases.forEach((actions, phase) => {
    lines.push(`phase ${phase + 1} (${actions.join(', ')}):`);
    const inPhase = trace.policies.filter((p) => p.phase === phase);
    if (inPhase.length === 0) lines.push('  (no policies)');
    for (const p of inPhase) {
      const state = p.decided ? 'MATCH, decided' : p.matched ? (p.reached ? 'match' : 'would match, not reached') : p.reached ? 'no match' : 'no match, not reached';
      lines.push(`  #${p.index} ${p.action} "${p.name}": ${state}${p.stepUp ? ` (would match with ${p.stepUp.join(', ')})` : ''}`);
      lines.push(...ruleLines(p.rules, '    '));
    }
  });
  return lines;
}
