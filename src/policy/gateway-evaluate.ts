// Evaluates a compiled Gateway rule set against gathered facts, in Cloudflare's precedence: the
// stage's phases in order (CONNECT: Do Not Inspect, then host-only Allow/Block; HTTP: Isolate / Do
// Not Isolate, then Allow/Block), rules top to bottom inside each, the first match wins within each
// phase. Do Not Isolate ends the isolation phase and evaluation goes on. No match: the set's
// default action. Pure and total: an unexpected exception blocks, never throws.
import { gatewayDialect } from './gateway-dialect.ts';
import { gatewayReasons } from './gateway-reasons.ts';
import { candidates } from './gateway-index.ts';
import type { CompiledGatewayRule, CompiledGatewaySet, GatewayDecision, GatewayFacts, GatewayReason } from './gateway-types.ts';

/** Whether the rule can be decided with what this stage knows: HTTP rules never match at CONNECT. */
export function ruleApplies(r: CompiledGatewayRule, facts: GatewayFacts): boolean {
  return facts.stage === 'http' || r.when.stage === 'connect';
}

function decided(r: CompiledGatewayRule, facts: GatewayFacts, before: GatewayReason[]): GatewayDecision {
  const reasons = [...before];
  r.when.explain(facts, reasons);
  return { action: r.action, stage: facts.stage, policy: r.ref, rule: r, reasons };
}

function run(set: CompiledGatewaySet, facts: GatewayFacts): GatewayDecision {
  // A deprovisioned user's proxy credential is dead (SCIM active=false), whatever the rules say.
  if (facts.identity && facts.directory && facts.directory.active !== true) {
    return { action: 'block', stage: facts.stage, reasons: [{ code: gatewayReasons.directoryInactive, detail: facts.identity.email }] };
  }
  const notes: GatewayReason[] = [];
  for (const p of gatewayDialect.stagePhases[facts.stage]) {
    if (p === 1 && facts.fromIsolation) continue;
    for (const r of candidates(set.index[p]!, facts.request.host)) {
      if (!ruleApplies(r, facts) || !r.when.test(facts)) continue;
      if (r.action !== 'noIsolate') return decided(r, facts, notes);
      notes.push({ code: 'gateway.no_isolate', detail: `rule "${r.name}" keeps this request out of isolation` });
      break;
    }
  }
  notes.push({ code: gatewayReasons.defaultAction, detail: `no rule matched; default ${set.defaultAction}` });
  return { action: set.defaultAction, stage: facts.stage, reasons: notes };
}

export function evaluateGateway(set: CompiledGatewaySet, facts: GatewayFacts): GatewayDecision {
  try {
    return run(set, facts);
  } catch (err) {
    return { action: 'block', stage: facts.stage, reasons: [{ code: gatewayReasons.evaluationError, detail: err instanceof Error ? err.name : 'non-error thrown' }] };
  }
}

/**
 * Egress safety's exception: an Allow rule that names the destination (a positive destinationIp
 * condition) and matches lets Moatless dial a private, loopback or link-local address.
 */
export function allowsPrivateDestination(set: CompiledGatewaySet, facts: GatewayFacts): CompiledGatewayRule | undefined {
  try {
    for (const r of candidates(set.index[2]!, facts.request.host)) {
      if (r.action === 'allow' && r.when.namesDestination && ruleApplies(r, facts) && r.when.test(facts)) return r;
    }
  } catch {
    // Fail closed: no exception.
  }
  return undefined;
}
