// The Gateway dialect's data: facts in, decisions out, and the compiled rule set in between.
// Types only. Facts arrive fully gathered (identity, directory, resolved destination address);
// nothing here reads a clock, a store, DNS or the network.
import type { GatewayAction, GatewaySelectorKind, IsolationSettings, BlockSettings, UntrustedCertificateAction } from './gateway-language.ts';
import type { DirectoryFacts, IdentityFacts } from './types.ts';
import type { PhaseIndex } from './gateway-index.ts';

export type { GatewayAction, GatewaySelectorKind, IsolationSettings, BlockSettings };

/**
 * When a rule can be evaluated: `connect` knows only the target host (CONNECT authority or SNI),
 * the addresses and the user; `http` also knows URL, path, query and method (plain HTTP, or a
 * CONNECT tunnel Moatless decrypts).
 */
export type GatewayStage = 'connect' | 'http';

export interface GatewayRequestFacts {
  sourceIp: string;
  /** Lower-case hostname without port or trailing dot (an IP literal for IP targets). */
  host: string;
  port: number;
  /** The resolved address Moatless will dial; absent when resolution failed or has not happened. */
  destinationIp?: string;
  /** HTTP stage only: the absolute URL as requested (case preserved: Cloudflare's URL is case-sensitive). */
  url?: string;
  path?: string;
  /** Without the leading `?`; '' when there is none. */
  query?: string;
  method?: string;
}

export interface GatewayFacts {
  /** Epoch milliseconds; the engine never reads a clock. */
  now: number;
  stage: GatewayStage;
  request: GatewayRequestFacts;
  /** Who is proxying: the identity frozen in the session a proxy credential belongs to. */
  identity?: IdentityFacts;
  /** The SCIM directory record, read live (groups incl. the risk groups, riskLevel, active). */
  directory?: DirectoryFacts;
  /** Traffic the remote browser makes for an isolated session: never isolated again. */
  fromIsolation?: boolean;
}

export interface GatewayReason {
  code: string;
  detail?: string;
}

/** The hosts a condition can match at all: these exactly, or these domains and their subdomains. */
export interface HostGate {
  readonly exact: ReadonlySet<string>;
  readonly domains: ReadonlySet<string>;
}

export interface CompiledCondition {
  /** The latest stage any leaf needs: `http` rules never match at CONNECT time. */
  readonly stage: GatewayStage;
  readonly kinds: ReadonlySet<GatewaySelectorKind>;
  /** True when a positive destinationIp leaf is required for a match (the rule names its destination). */
  readonly namesDestination: boolean;
  /** Present when the condition is false for every host outside it (gateway-index.ts). */
  readonly hosts?: HostGate | undefined;
  test(facts: GatewayFacts): boolean;
  /** Like test, and appends the reasons of the leaves that decided. */
  explain(facts: GatewayFacts, out: GatewayReason[]): boolean;
}

export interface CompiledGatewayRule {
  readonly name: string;
  readonly index: number;
  readonly action: GatewayAction;
  readonly when: CompiledCondition;
  readonly block?: BlockSettings;
  readonly isolation?: IsolationSettings;
  /** Allow rules: what an inspected HTTPS origin with an untrusted certificate gets (default block). */
  readonly untrustedCertificate?: UntrustedCertificateAction;
  /** `{name, index}` shared by every decision this rule makes. */
  readonly ref: { readonly name: string; readonly index: number };
}

export interface CompiledGatewaySet {
  readonly rules: readonly CompiledGatewayRule[];
  /** Rules by phase (gatewayDialect.phases), configured order kept inside each. */
  readonly byPhase: readonly (readonly CompiledGatewayRule[])[];
  /** byPhase indexed by the hosts rules name (gateway-index.ts): what evaluation walks. */
  readonly index: readonly PhaseIndex[];
  /** What unmatched traffic gets: Gateway allows by default (Cloudflare), configurable. */
  readonly defaultAction: 'allow' | 'block';
}

export interface GatewayDecision {
  action: GatewayAction;
  stage: GatewayStage;
  policy?: { readonly name: string; readonly index: number };
  /** The deciding rule (its block page and isolation settings); absent for the default. */
  rule?: CompiledGatewayRule;
  reasons: GatewayReason[];
}
