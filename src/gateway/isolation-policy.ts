// The Gateway's answers to the isolation capability: which policy isolates a user at a URL (and so
// which controls and notice the viewer gets), and whether the remote browser may navigate there.
// Looked up here, server-side, from the user's sign-in and live directory record — never from
// anything the client sends, so no one can pick a laxer policy. Must not: render or start sessions.
import type { DirectoryFactsSource } from '../access/context.ts';
import type { ResolvedConfig } from '../config/load.ts';
import type { SessionService } from '../identity/sessions.ts';
import type { ControlsSource, IsolationReason, NavigationCheck } from '../isolation/index.ts';
import { evaluateGateway } from '../policy/gateway-evaluate.ts';
import type { GatewayDecision } from '../policy/gateway-types.ts';
import { gatewayFacts, httpRequestFacts } from './facts.ts';

export interface IsolationPolicyDeps {
  config(): ResolvedConfig;
  sessions: Pick<SessionService, 'resolveById'>;
  directoryFacts?: DirectoryFactsSource | undefined;
  now(): number;
}

type User = { userKey: string; globalSessionId: string };

/** The Gateway decision for a page load of `url` by the user, as if from their own browser; null when signed out. */
async function decisionFor(d: IsolationPolicyDeps, user: User, url: URL, fromIsolation = false): Promise<GatewayDecision | null> {
  const session = await d.sessions.resolveById(user.globalSessionId);
  if (!session || session.userKey !== user.userKey) return null;
  const set = d.config().gatewayPolicies;
  if (!set) return { action: 'allow', stage: 'http', reasons: [] };
  const identity = session.identity;
  const directory = d.directoryFacts ? await d.directoryFacts(identity.email) : undefined;
  return evaluateGateway(set, gatewayFacts('http', httpRequestFacts(url, 'GET', ''), { identity, directory, fromIsolation }, d.now()));
}

function reasonOf(d: IsolationPolicyDeps, decision: GatewayDecision): IsolationReason {
  const name = decision.policy?.name ?? 'unnamed';
  const because = decision.reasons.map((r) => r.detail ?? r.code).join(' and ');
  return {
    controls: decision.rule?.isolation ?? d.config().isolation.controls, policy: name, byPolicy: true,
    notice: `policy "${name}"${because ? ` because ${because}` : ''}`,
  };
}

export function isolationControls(d: IsolationPolicyDeps): ControlsSource {
  return async (user, url) => {
    const decision = url ? await decisionFor(d, user, new URL(url)).catch(() => null) : null;
    if (decision?.action === 'isolate') return reasonOf(d, decision);
    return { controls: d.config().isolation.controls, policy: 'clientless', notice: 'clientless isolation (opened directly)', byPolicy: false };
  };
}

/**
 * Isolate: stays isolated (under that policy's controls). Allow: allowed, but no policy isolates it
 * any more (`direct`). Anything else (block, signed out, an error): blocked.
 */
export function isolationNavigationCheck(d: IsolationPolicyDeps): NavigationCheck {
  return async (user, url) => {
    let decision: GatewayDecision | null;
    try {
      decision = await decisionFor(d, user, url);
    } catch {
      return { allow: false, reason: 'the policy check failed' };
    }
    if (!decision) return { allow: false, reason: 'your sign-in has ended' };
    if (decision.action === 'isolate') {
      // Inside the remote browser the same rules run without the isolate phase: Block still holds.
      const inside = await decisionFor(d, user, url, true).catch(() => null);
      if (inside?.action === 'block' || !inside) return blocked(inside);
      return { allow: true, isolation: reasonOf(d, decision) };
    }
    if (decision.action === 'allow' || decision.action === 'noIsolate') return { allow: true, direct: true };
    return blocked(decision);
  };
}

function blocked(decision: GatewayDecision | null): { allow: false; reason: string } {
  if (!decision) return { allow: false, reason: 'the policy check failed' };
  return { allow: false, reason: decision.rule?.block?.message ?? `blocked by policy${decision.policy ? ` "${decision.policy.name}"` : ''}` };
}
