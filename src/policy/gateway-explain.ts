// The human side of the Gateway engine, for `moatless policy test --gateway`: every rule with
// whether this stage could decide it, whether it matched and why, next to the decision
// evaluateGateway makes. Slower on purpose; never on the hot path.
import { formatReason } from './reasons.ts';
import { evaluateGateway, ruleApplies } from './gateway-evaluate.ts';
import type { CompiledGatewaySet, GatewayDecision, GatewayFacts, GatewayReason } from './gateway-types.ts';

export interface GatewayRuleTrace {
  name: string;
  index: number;
  action: string;
  /** False when the rule needs HTTP facts and the stage is CONNECT. */
  applies: boolean;
  matched: boolean;
  decided: boolean;
  reasons: GatewayReason[];
}

export function explainGateway(set: CompiledGatewaySet, facts: GatewayFacts): { decision: GatewayDecision; rules: GatewayRuleTrace[] } {
  const decision = evaluateGateway(set, facts);
  const rules = set.rules.map((r) => {
    const reasons: GatewayReason[] = [];
    const applies = ruleApplies(r, facts);
    const matched = applies && r.when.explain(facts, reasons);
    return { name: r.name, index: r.index, action: r.action, applies, matched, decided: decision.rule === r, reasons };
  });
  return { decision, rules };
}

export function formatGatewayExplanation(e: { decision: GatewayDecision; rules: GatewayRuleTrace[] }): string[] {
  const d = e.decision;
  const out = [`gateway decision (${d.stage}): ${d.action}${d.policy ? ` by rule "${d.policy.name}"` : ''}`];
  for (const r of d.reasons) out.push(`  because ${formatReason(r)}`);
  out.push('rules:');
  for (const r of e.rules) {
    const mark = r.decided ? '→' : r.matched ? '+' : ' ';
    const state = !r.applies ? 'needs HTTP facts (skipped at CONNECT)' : r.matched ? 'matched' : 'no match';
    out.push(`${mark} [${r.index}] ${r.name} (${r.action}): ${state}`);
    for (const why of r.reasons) out.push(`      ${formatReason(why)}`);
  }
  return out;
}
