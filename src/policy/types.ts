// The policy engine's data: facts in, decisions out, and the canonical compiled form in between.
// Types only. Nothing here reads a clock, a store or the network; facts arrive fully gathered.
import type { SelectorKind, RiskLevel } from './language.ts';
import type { ReasonCode } from './reasons.ts';

export type { SelectorKind, RiskLevel };
export type { ConfigIssue } from '../config/issues.ts';

/** Who signed in, frozen at login (Cloudflare: identity selectors are checked at login only). */
export interface IdentityFacts {
  userKey: string;
  email: string;
  name?: string;
  /** Id of the identity provider used to sign in (the `loginMethod` selector). */
  idp: string;
  /** IdP group ids (Entra group object ids from the `groups` claim or Graph on overage). */
  groups: string[];
  /** Display names of those groups, resolved at login. */
  groupNames: string[];
  /** RFC 8176 authentication method references, e.g. `mfa`, `hwk`. */
  amr: string[];
  /** Entra Conditional Access authentication contexts satisfied at sign-in (`acrs` claim). */
  acrs: string[];
  claims: Record<string, unknown>;
}

/** The SCIM-provisioned directory, read live on every request. */
export interface DirectoryFacts {
  groups: string[];
  riskLevel?: RiskLevel;
  active: boolean;
}

export interface RequestFacts {
  ip: string;
  country?: string;
  host: string;
  path: string;
  method: string;
}

export interface Facts {
  /** Epoch milliseconds; the engine never reads a clock. */
  now: number;
  request: RequestFacts;
  identity?: IdentityFacts;
  directory?: DirectoryFacts;
  serviceToken?: { name: string };
}

export interface Reason {
  code: ReasonCode;
  detail?: string;
}

export type AccessAction = 'allow' | 'block' | 'bypass' | 'service_auth';

/** `A` is the dialect's policy actions; `deny` and `authenticate` are the engine's own outcomes. */
export interface Decision<A extends string = AccessAction> {
  action: A | 'deny' | 'authenticate';
  policy?: { readonly name: string; readonly index: number };
  reasons: Reason[];
  sessionDurationMs?: number;
  stepUp?: { authContexts: string[] };
}

/**
 * A selector as the engine runs it: the config value is canonical (lower-cased sets, parsed CIDRs,
 * resolved rule groups) and bound into `test`, so evaluation is one call per rule.
 */
export interface CompiledRule {
  readonly kind: SelectorKind;
  /** Config path, e.g. `apps[0].policies[1].require[0].authMethod`. */
  readonly path: string;
  /** The rule as a human wrote it, e.g. `authMethod: mfa, hwk`. */
  readonly source: string;
  /** True inside Require: every listed value must match (Cloudflare's documented AND). */
  readonly all: boolean;
  /** Canonical values as strings (for traces and step-up). */
  readonly values: readonly string[];
  /** The rule groups a `ruleGroup` rule points at, shared by reference. */
  readonly groups?: readonly CompiledRuleGroup[];
  test(facts: Facts): boolean;
  reason(facts: Facts, matched: boolean): Reason;
}

export interface CompiledRuleSet {
  readonly include: readonly CompiledRule[];
  readonly require: readonly CompiledRule[];
  readonly exclude: readonly CompiledRule[];
}

export interface CompiledRuleGroup {
  readonly name: string;
  readonly rules: CompiledRuleSet;
  /** Every selector kind used, following nested rule groups (checked against action restrictions). */
  readonly kinds: ReadonlySet<SelectorKind>;
}

export interface CompiledPolicy<A extends string = AccessAction> {
  readonly name: string;
  /** Position in the configured list (what `Decision.policy.index` reports). */
  readonly index: number;
  readonly action: A;
  /** Index into the dialect's phase table. */
  readonly phase: number;
  readonly sessionDurationMs?: number;
  readonly rules: CompiledRuleSet;
  /** `{name, index}` shared by every decision this policy makes (no allocation per request). */
  readonly ref: { readonly name: string; readonly index: number };
  /** Whether any rule (directly or through rule groups) tests `authContext`: cheap step-up gate. */
  readonly usesAuthContext: boolean;
}

/**
 * The canonical, immutable result of compiling one app's policies. `byPhase[p]` lists the policies
 * of phase p in configured order, so evaluation is a straight walk.
 */
export interface CompiledPolicySet<A extends string = AccessAction> {
  readonly dialect: PolicyDialect<A>;
  readonly policies: readonly CompiledPolicy<A>[];
  readonly byPhase: readonly (readonly CompiledPolicy<A>[])[];
}

/** What one action may contain. `allowed` lists the only selector kinds it may use. */
export interface ActionRestriction {
  readonly allowed: ReadonlySet<SelectorKind>;
  readonly why: string;
}

/**
 * Everything that makes Access differ from Gateway, as data: which actions exist, the phase table,
 * which phases need a signed-in user, and per-action selector restrictions.
 */
export interface PolicyDialect<A extends string = AccessAction> {
  readonly name: string;
  readonly actions: readonly A[];
  /** Phases run in order; inside one, policies run top to bottom; the first match decides. */
  readonly phases: readonly (readonly A[])[];
  /** Phases from this index on need `facts.identity`; without one the decision is `authenticate`. */
  readonly identityFromPhase: number;
  /** Actions whose near-misses on `authContext` produce a step-up hint. */
  readonly stepUpActions: readonly A[];
  /** Actions that admit a signed-in user (warned about when they include `everyone` unconditionally). */
  readonly grantingActions: readonly A[];
  /** Actions for which `sessionDuration` means something (a warning elsewhere). */
  readonly sessionActions: readonly A[];
  readonly restrictions: Partial<Record<A, ActionRestriction>>;
}
