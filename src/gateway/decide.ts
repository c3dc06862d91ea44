// One Gateway decision for one request or tunnel: resolve the target, gather facts, evaluate the
// rules, and check egress on the very address that will be dialled. Shared by plain HTTP,
// CONNECT and decrypted requests. Must not: write responses or dial.
import type { CompiledGatewaySet, GatewayDecision, GatewayFacts, GatewayStage } from '../policy/gateway-types.ts';
import { allowsPrivateDestination, evaluateGateway } from '../policy/gateway-evaluate.ts';
import { checkEgress, isAccessListener, resolveTarget, type EgressVerdict, type Listener, type Resolver } from './egress.ts';
import { connectRequestFacts, gatewayFacts, httpRequestFacts, type Who } from './facts.ts';

export interface DecideEnv {
  set: CompiledGatewaySet;
  resolver: Resolver;
  ownListeners: readonly Listener[];
  /** Access's listeners: a remote browser's (already isolated) traffic may reach the apps there. */
  accessListeners?: readonly Listener[];
  now: number;
}

export interface Target {
  host: string;
  port: number;
  /** HTTP stage only. */
  url?: URL;
  method?: string;
}

export interface Plan {
  facts: GatewayFacts;
  decision: GatewayDecision;
  /** The address to dial (the first the resolver returned), or undefined when resolution failed. */
  destinationIp: string | undefined;
  /** Whether that address may be dialled; only meaningful when the action lets traffic through. */
  egress: EgressVerdict;
  /** A remote browser's traffic to an Access app of this process (marked so Access does not isolate it again). */
  isolatedToAccess: boolean;
}

export async function decide(env: DecideEnv, stage: GatewayStage, target: Target, sourceIp: string, who: Who): Promise<Plan> {
  let destinationIp: string | undefined;
  try {
    destinationIp = (await resolveTarget(target.host, env.resolver))[0];
  } catch {
    destinationIp = undefined;
  }
  const request = stage === 'http' && target.url
    ? httpRequestFacts(target.url, target.method ?? 'GET', sourceIp, destinationIp)
    : connectRequestFacts(target.host, target.port, sourceIp, destinationIp);
  const facts = gatewayFacts(stage, request, who, env.now);
  const decision = evaluateGateway(env.set, facts);
  const isolatedToAccess = who.fromIsolation === true && destinationIp !== undefined
    && isAccessListener(destinationIp, target.port, env.accessListeners ?? []);
  const egress: EgressVerdict = isolatedToAccess ? { ok: true } : destinationIp === undefined
    ? { ok: false, reason: `${target.host} could not be resolved` }
    : checkEgress(destinationIp, target.port, env.ownListeners, allowsPrivateDestination(env.set, facts) !== undefined);
  return { facts, decision, destinationIp, egress, isolatedToAccess };
}

/** The user's groups a deciding rule named (for the log): never the whole membership list. */
export function matchedGroups(plan: Pick<Plan, 'decision' | 'facts'>): string[] {
  const named = plan.decision.reasons
    .filter((r) => r.code === 'gateway.user_group_names.match' && r.detail)
    .map((r) => r.detail!.slice(0, r.detail!.indexOf(':')).toLowerCase());
  if (named.length === 0) return [];
  const f = plan.facts;
  const all = [...(f.identity?.groupNames ?? []), ...(f.directory?.groups ?? [])];
  return [...new Set(all.filter((g) => named.some((n) => n.includes(g.toLowerCase()))))];
}
