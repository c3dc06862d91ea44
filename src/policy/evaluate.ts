// Evaluates a compiled policy set against gathered facts: phases in order, policies top to bottom
// inside each, the first match decides; no match denies (Cloudflare Access is deny-by-default).
// Pure and total: no I/O, no clock, and any unexpected exception becomes a deny, never a throw.
import { reasons } from './reasons.ts';
import { contextsNeeded } from './step-up.ts';
import type { AccessAction, CompiledPolicy, CompiledPolicySet, CompiledRule, Decision, Facts, Reason } from './types.ts';

/** The include rule that matched when the whole set matches, else undefined. Allocation-free. */
export function matchPolicy(p: CompiledPolicy<string>, facts: Facts): CompiledRule | undefined {
  let by: CompiledRule | undefined;
  for (const r of p.rules.include) {
    if (r.test(facts)) {
      by = r;
      break;
    }
  }
  if (!by) return undefined;
  for (const r of p.rules.require) if (!r.test(facts)) return undefined;
  for (const r of p.rules.exclude) if (r.test(facts)) return undefined;
  return by;
}

function decided<A extends string>(p: CompiledPolicy<A>, by: CompiledRule, facts: Facts): Decision<A> {
  const why: Reason[] = [by.reason(facts, true)];
  for (const r of p.rules.require) why.push(r.reason(facts, true));
  const d: Decision<A> = { action: p.action, policy: p.ref, reasons: why };
  if (p.sessionDurationMs !== undefined) d.sessionDurationMs = p.sessionDurationMs;
  return d;
}

/** Not `policy`: no policy decided; the one that would allow is named in the detail. */
function stepUpDecision<A extends string>(p: CompiledPolicy<A>, contexts: string[]): Decision<A> {
  return {
    action: 'deny',
    reasons: [{ code: reasons.authContextMissing, detail: `policy "${p.name}" would allow with authentication context ${contexts.join(', ')}` }],
    stepUp: { authContexts: contexts },
  };
}

function run<A extends string>(set: CompiledPolicySet<A>, facts: Facts): Decision<A> {
  const { dialect } = set;
  let stepUp: { policy: CompiledPolicy<A>; contexts: string[] } | undefined;
  // A deprovisioned user's frozen identity must not outlive the directory record (SCIM active=false),
  // whatever phase would decide: a bypass or service_auth match would still carry their session.
  if (facts.identity && facts.directory && facts.directory.active !== true) {
    const detail = 'the directory marks this user inactive';
    return { action: 'deny', reasons: [{ code: reasons.directoryInactive, detail }] };
  }
  for (let phase = 0; phase < set.byPhase.length; phase++) {
    if (phase === dialect.identityFromPhase && !facts.identity) {
      const detail = 'no bypass or service-auth policy matched and nobody is signed in';
      return { action: 'authenticate', reasons: [{ code: reasons.identityRequired, detail }] };
    }
    for (const p of set.byPhase[phase]!) {
      const by = matchPolicy(p, facts);
      if (by) {
        // An earlier allow that only lacked auth contexts outranks this match unless it also grants.
        if (stepUp && !dialect.grantingActions.includes(p.action)) return stepUpDecision(stepUp.policy, stepUp.contexts);
        return decided(p, by, facts);
      }
      if (!stepUp && p.usesAuthContext && dialect.stepUpActions.includes(p.action)) {
        const contexts = contextsNeeded(p.rules, facts);
        if (contexts !== null && contexts.length > 0) stepUp = { policy: p, contexts };
      }
    }
  }
  if (stepUp) return stepUpDecision(stepUp.policy, stepUp.contexts);
  return { action: 'deny', reasons: [{ code: reasons.defaultDeny, detail: 'no policy matched' }] };
}

export function evaluate<A extends string = AccessAction>(set: CompiledPolicySet<A>, facts: Facts): Decision<A> {
  try {
    return run(set, facts);
  } catch (err) {
    // Fail closed; the name (not the message, which may quote facts) is enough to find the bug.
    return { action: 'deny', reasons: [{ code: reasons.evaluationError, detail: err instanceof Error ? err.name : 'non-error thrown' }] };
  }
}
