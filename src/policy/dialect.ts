// Policy dialects: the action set, phase table and per-action selector restrictions as data, so
// Gateway HTTP policies (isolate, noisolate, block, allow, redirect …) reuse the same compiler and
// evaluator with their own table instead of new code paths.
import { selectorKinds, type SelectorKind } from './language.ts';
import type { AccessAction, PolicyDialect } from './types.ts';

/** Cloudflare Access: Service Auth and Bypass first, then Allow and Block, each top to bottom. */
export const accessPhases = [['service_auth', 'bypass'], ['allow', 'block']] as const satisfies readonly (readonly AccessAction[])[];

/** Selectors that look at who the user is (Cloudflare's "identity-based" column, plus directory facts). */
export const identitySelectors: ReadonlySet<SelectorKind> = new Set<SelectorKind>([
  'email', 'emailDomain', 'group', 'directoryGroup', 'claim', 'loginMethod', 'authMethod', 'authContext', 'riskLevel',
]);

/** Checks a dialect's table once, at definition: every action in exactly one phase. Throws on a programming error. */
export function defineDialect<A extends string>(dialect: PolicyDialect<A>): PolicyDialect<A> {
  for (const action of dialect.actions) {
    const n = dialect.phases.filter((p) => p.includes(action)).length;
    if (n !== 1) throw new Error(`dialect ${dialect.name}: action "${action}" is in ${n} phases, expected 1`);
  }
  for (const p of dialect.phases) {
    for (const a of p) if (!dialect.actions.includes(a)) throw new Error(`dialect ${dialect.name}: phase action "${a}" is not an action`);
  }
  return dialect;
}

export const accessDialect: PolicyDialect<AccessAction> = defineDialect<AccessAction>({
  name: 'access',
  actions: ['allow', 'block', 'bypass', 'service_auth'],
  phases: accessPhases,
  identityFromPhase: 1,
  stepUpActions: ['allow'],
  grantingActions: ['allow'],
  sessionActions: ['allow', 'service_auth'],
  restrictions: {
    // Bypass runs before anyone signs in and turns off logging; Cloudflare forbids identity selectors there.
    bypass: {
      allowed: new Set(selectorKinds.filter((k) => !identitySelectors.has(k))),
      why: 'bypass policies run before sign-in and cannot use identity selectors',
    },
    service_auth: {
      allowed: new Set<SelectorKind>(['serviceToken', 'anyServiceToken', 'ipRange', 'ipList', 'country', 'everyone', 'ruleGroup']),
      why: 'service_auth policies may only use serviceToken, anyServiceToken, ipRange, ipList, country and everyone',
    },
  },
});
