// Compiles the `gateway:` rules once per config load into the canonical set the proxy evaluates:
// condition trees to closures, rules grouped by phase, per-action restrictions checked, every
// problem reported with its path. Pure.
import type { IpRange } from './cidr.ts';
import { issueSink, type CompileResult } from './compile-library.ts';
import { gatewayDialect, phaseOf } from './gateway-dialect.ts';
import type { ConditionInput, GatewayRuleInput, GatewaySelectorKind, HostListInput, OperatorInput } from './gateway-language.ts';
import { canonicalHost, compileLeaf, type LeafEnv } from './gateway-operators.ts';
import { gatewaySelectors } from './gateway-selectors/index.ts';
import type { CompiledCondition, CompiledGatewayRule, CompiledGatewaySet, GatewayStage, HostGate } from './gateway-types.ts';
import { indexPhase } from './gateway-index.ts';

export interface GatewayPolicyInput {
  rules?: readonly GatewayRuleInput[] | undefined;
  hostLists?: readonly HostListInput[] | undefined;
  defaultAction?: 'allow' | 'block' | undefined;
}

const later = (a: GatewayStage, b: GatewayStage): GatewayStage => (a === 'http' || b === 'http' ? 'http' : 'connect');

const gateSize = (g: HostGate) => g.exact.size + g.domains.size;

function combine(kind: 'and' | 'or', parts: CompiledCondition[]): CompiledCondition {
  const kinds = new Set<GatewaySelectorKind>();
  for (const p of parts) for (const k of p.kinds) kinds.add(k);
  const stage = parts.reduce<GatewayStage>((s, p) => later(s, p.stage), 'connect');
  if (kind === 'and') {
    // An `and` is false outside any of its parts' hosts: the narrowest gate will do.
    const gated = parts.filter((p) => p.hosts).sort((a, b) => gateSize(a.hosts!) - gateSize(b.hosts!));
    return {
      stage, kinds, namesDestination: parts.some((p) => p.namesDestination), hosts: gated[0]?.hosts,
      test: (f) => { for (const p of parts) if (!p.test(f)) return false; return true; },
      explain: (f, out) => { for (const p of parts) if (!p.explain(f, out)) return false; return true; },
    };
  }
  // An `or` is gated only when every part is: by the union of their hosts.
  const union = parts.every((p) => p.hosts)
    ? { exact: new Set(parts.flatMap((p) => [...p.hosts!.exact])), domains: new Set(parts.flatMap((p) => [...p.hosts!.domains])) }
    : undefined;
  return {
    stage, kinds, namesDestination: parts.every((p) => p.namesDestination), hosts: union,
    test: (f) => { for (const p of parts) if (p.test(f)) return true; return false; },
    explain: (f, out) => {
      const tried: typeof out = [];
      for (const p of parts) {
        const mine: typeof out = [];
        if (p.explain(f, mine)) { out.push(...mine); return true; }
        tried.push(...mine);
      }
      out.push(...tried);
      return false;
    },
  };
}

function compileCondition(c: ConditionInput, path: string, env: LeafEnv): CompiledCondition | undefined {
  if ('and' in c || 'or' in c) {
    const kind = 'and' in c ? 'and' : 'or';
    const list = (c as Record<'and' | 'or', ConditionInput[]>)[kind];
    const parts = list.map((sub, i) => compileCondition(sub, `${path}.${kind}[${i}]`, env));
    return parts.every((p) => p !== undefined) ? combine(kind, parts as CompiledCondition[]) : undefined;
  }
  const kind = Object.keys(c)[0] as GatewaySelectorKind;
  return compileLeaf(gatewaySelectors[kind], (c as Record<string, OperatorInput>)[kind]!, `${path}.${kind}`, env);
}

function restrictionError(rule: GatewayRuleInput, when: CompiledCondition): string | undefined {
  const r = gatewayDialect.restrictions;
  if (rule.action === 'doNotInspect' && when.stage !== 'connect') return r.doNotInspect.why;
  if ((rule.action === 'isolate' || rule.action === 'noIsolate') && when.kinds.has('destinationIp')) return r.isolate.why;
  return undefined;
}

export function compileGateway(
  input: GatewayPolicyInput, ipLists: ReadonlyMap<string, readonly IpRange[]>, basePath = 'gateway',
): CompileResult<CompiledGatewaySet> {
  const sink = issueSink();
  const hostLists = new Map<string, readonly string[]>();
  (input.hostLists ?? []).forEach((l, i) => {
    if (hostLists.has(l.name)) sink.error(`${basePath}.hostLists[${i}].name`, `duplicate host list name "${l.name}"`);
    hostLists.set(l.name, l.hosts.map(canonicalHost));
  });
  const env: LeafEnv = { hostLists, ipLists, error: sink.error };
  const rules: CompiledGatewayRule[] = [];
  const names = new Set<string>();
  (input.rules ?? []).forEach((rule, index) => {
    const at = `${basePath}.rules[${index}]`;
    if (names.has(rule.name)) sink.warn(`${at}.name`, `another rule is also named "${rule.name}"; logs will not tell them apart`);
    names.add(rule.name);
    const when = compileCondition(rule.when, `${at}.when`, env);
    if (!when) return;
    const bad = restrictionError(rule, when);
    if (bad) return void sink.error(`${at}.when`, bad);
    if (rule.block && rule.action !== 'block') sink.error(`${at}.block`, 'block settings apply to action: block only');
    if (rule.isolation && rule.action !== 'isolate') sink.error(`${at}.isolation`, 'isolation settings apply to action: isolate only');
    if (rule.untrustedCertificate && rule.action !== 'allow') sink.error(`${at}.untrustedCertificate`, 'untrustedCertificate applies to action: allow only');
    rules.push({
      name: rule.name, index, action: rule.action, when, ref: { name: rule.name, index },
      ...(rule.block ? { block: rule.block } : {}), ...(rule.isolation ? { isolation: rule.isolation } : {}),
      ...(rule.untrustedCertificate ? { untrustedCertificate: rule.untrustedCertificate } : {}),
    });
  });
  const byPhase = gatewayDialect.phases.map((_, p) => rules.filter((r) => phaseOf(r.action) === p));
  const value: CompiledGatewaySet = { rules, byPhase, index: byPhase.map(indexPhase), defaultAction: input.defaultAction ?? gatewayDialect.defaultAction };
  if (sink.errors.length > 0) return { ok: false, errors: sink.errors, warnings: sink.warnings, partial: value };
  return { ok: true, value, warnings: sink.warnings };
}
