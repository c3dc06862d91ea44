// Test helpers for the Gateway engine tests: fact builders and one-call compilation. Not exported
// from index.ts; production code must not import this file.
import { parseCidr, type IpRange } from './cidr.ts';
import { compileGateway, type GatewayPolicyInput } from './gateway-compile.ts';
import { gatewayRuleSchema, type ConditionInput, type GatewayRuleInput } from './gateway-language.ts';
import { compileLeaf } from './gateway-operators.ts';
import { gatewaySelectors } from './gateway-selectors/index.ts';
import type { CompiledGatewaySet, GatewayFacts, GatewaySelectorKind } from './gateway-types.ts';
import type { OperatorInput } from './gateway-language.ts';
import { identity } from './testing.ts';

export function gwFacts(over: Partial<Omit<GatewayFacts, 'request'>> & { request?: Partial<GatewayFacts['request']> } = {}): GatewayFacts {
  const { request, ...rest } = over;
  return {
    now: 1_700_000_000_000, stage: 'http',
    identity: identity({ groupNames: ['Staff'] }),
    directory: { groups: [], active: true, riskLevel: 'none' },
    ...rest,
    request: {
      sourceIp: '10.1.2.3', host: 'app1.example.com', port: 443, destinationIp: '93.184.216.34',
      url: 'https://app1.example.com/docs/a?x=1', path: '/docs/a', query: 'x=1', method: 'GET', ...request,
    },
  };
}

const lists = new Map<string, readonly IpRange[]>([['office', [parseCidr('10.0.0.0/8') as IpRange]]]);

/** Parses the rules with the real schema and compiles them; throws on any error. */
export function compileGw(rules: unknown[], rest: Omit<GatewayPolicyInput, 'rules'> = {}): CompiledGatewaySet {
  const parsed: GatewayRuleInput[] = rules.map((r) => gatewayRuleSchema.parse(r));
  const r = compileGateway({ ...rest, rules: parsed }, lists);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

/** Compiles one leaf of selector `kind`; `errors` collects what it reports. */
export function leaf(kind: GatewaySelectorKind, op: OperatorInput, hostLists: Record<string, string[]> = {}) {
  const errors: string[] = [];
  const c = compileLeaf(gatewaySelectors[kind], op, 'when', {
    hostLists: new Map(Object.entries(hostLists)), ipLists: lists, error: (p, m) => void errors.push(`${p}: ${m}`),
  });
  const test = (f: GatewayFacts) => {
    if (!c) throw new Error(`did not compile: ${errors.join('; ')}`);
    return c.test(f);
  };
  return { compiled: c, errors, test };
}

export type { ConditionInput };
