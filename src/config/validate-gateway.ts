// Compiles the `gateway:` rules once per load (with the shared ipLists), so `config check`, `serve`
// and a reload reject the same mistakes and the running gateway serves exactly this set. Pure.
import type { MoatlessConfig } from './schema/root.ts';
import type { ConfigIssue } from './issues.ts';
import { compileGateway } from '../policy/gateway-compile.ts';
import { parseCidr, type IpRange } from '../policy/cidr.ts';
import type { CompiledGatewaySet } from '../policy/gateway-types.ts';

export interface CompiledGatewayConfig {
  issues: ConfigIssue[];
  warnings: ConfigIssue[];
  /** Null when there is no gateway section (or it has errors). */
  set: CompiledGatewaySet | null;
}

export function compileGatewayConfig(cfg: Partial<Pick<MoatlessConfig, 'gateway' | 'ipLists' | 'server'>>): CompiledGatewayConfig {
  const gw = cfg.gateway;
  if (!gw) return { issues: [], warnings: [], set: null };
  const issues: ConfigIssue[] = [];
  // Bad ranges are reported by the Access policy compiler already; here they are just left out.
  const ipLists = new Map<string, readonly IpRange[]>();
  for (const l of cfg.ipLists ?? []) {
    if (l) ipLists.set(l.name, l.ranges.map(parseCidr).filter((r): r is IpRange => !('error' in r)));
  }
  const r = compileGateway(gw, ipLists);
  if (!r.ok) issues.push(...r.errors);
  cfg.server?.listeners.forEach((l, i) => {
    if (l.address === gw.listener.address) issues.push({ path: 'gateway.listener.address', message: `${l.address} is already server.listeners[${i}]` });
  });
  return { issues, warnings: r.warnings, set: r.ok && issues.length === 0 ? r.value : null };
}
