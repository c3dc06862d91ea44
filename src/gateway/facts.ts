// Builds the Gateway engine's facts, the one way, for the forward proxy, the Access hook and
// `moatless policy test --gateway`: request facts from a URL or a CONNECT target, and the user's
// identity and live directory record. Must not: decide anything (the engine does).
import type { GatewayFacts, GatewayRequestFacts, GatewayStage } from '../policy/gateway-types.ts';
import type { DirectoryFacts, IdentityFacts } from '../policy/types.ts';

/** Lower case, no trailing dot, IPv6 brackets removed: the form host/domain selectors compare. */
export function canonicalTarget(hostname: string): string {
  return hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
}

/** HTTP stage: everything the URL says. `url` is the absolute URL as the client asked for it. */
export function httpRequestFacts(url: URL, method: string, sourceIp: string, destinationIp?: string): GatewayRequestFacts {
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return {
    sourceIp, host: canonicalTarget(url.hostname), port, url: url.href, path: url.pathname,
    query: url.search.slice(1), method: method.toUpperCase(), ...(destinationIp ? { destinationIp } : {}),
  };
}

/** CONNECT stage: the authority (or SNI) only. */
export function connectRequestFacts(host: string, port: number, sourceIp: string, destinationIp?: string): GatewayRequestFacts {
  return { sourceIp, host: canonicalTarget(host), port, ...(destinationIp ? { destinationIp } : {}) };
}

export interface Who {
  identity?: IdentityFacts | undefined;
  directory?: DirectoryFacts | undefined;
  fromIsolation?: boolean;
}

export function gatewayFacts(stage: GatewayStage, request: GatewayRequestFacts, who: Who, now: number): GatewayFacts {
  return {
    now, stage, request,
    ...(who.identity ? { identity: who.identity } : {}),
    ...(who.directory ? { directory: who.directory } : {}),
    ...(who.fromIsolation ? { fromIsolation: true } : {}),
  };
}
