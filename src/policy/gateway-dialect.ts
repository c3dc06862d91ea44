// The Gateway dialect as data (Cloudflare Gateway HTTP policies, reference §2.4): phases in order,
// which stage runs which phase, the default action, and per-action selector restrictions.
import type { GatewayAction, GatewaySelectorKind } from './gateway-language.ts';
import type { GatewayStage } from './gateway-types.ts';

export const gatewayDialect = {
  name: 'gateway',
  /** Do Not Inspect, then Isolate / Do Not Isolate, then Allow / Block; first match wins in each. */
  phases: [['doNotInspect'], ['isolate', 'noIsolate'], ['allow', 'block']] as const satisfies readonly (readonly GatewayAction[])[],
  /** Phase indices each stage runs. CONNECT decides inspection (and, for tunnels never decrypted, allow/block). */
  stagePhases: { connect: [0, 2], http: [1, 2] } as const satisfies Record<GatewayStage, readonly number[]>,
  /** Unmatched traffic is allowed (Cloudflare: "unless a default Block is configured"). Access denies. */
  defaultAction: 'allow' as const,
  restrictions: {
    // Do Not Inspect is decided before any HTTP is visible: it must match on the host (SNI) alone.
    doNotInspect: { stage: 'connect' as GatewayStage, why: 'doNotInspect is decided at CONNECT time and can only use host, domain, IP and user selectors' },
    isolate: { without: ['destinationIp'] as GatewaySelectorKind[], why: 'isolate and noIsolate cannot use destination-IP selectors (Cloudflare)' },
    noIsolate: { without: ['destinationIp'] as GatewaySelectorKind[], why: 'isolate and noIsolate cannot use destination-IP selectors (Cloudflare)' },
  },
} as const;

export function phaseOf(action: GatewayAction): number {
  return gatewayDialect.phases.findIndex((p) => (p as readonly GatewayAction[]).includes(action));
}
