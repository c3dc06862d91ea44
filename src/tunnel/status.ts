// Tunnel health as operators see it (`moatless tunnel status`, the admin API): every tunnel an app
// names or a connector serves, its connectors and connections from the store's live rows. Owns:
// what "healthy", "degraded" and "down" mean. Must not: change anything.
import type { TunnelConnectionRecord } from '../store/ports-tunnel.ts';
import type { Store } from '../store/ports.ts';
import { STALE_AFTER_MS } from './edge/hub.ts';

export interface TunnelReport {
  tunnel: string;
  health: 'healthy' | 'degraded' | 'down';
  connectors: {
    id: string; version: string; hostname: string; addresses: string[]; edges: string[]; connections: number; since: number;
  }[];
}

/** healthy: every connector holds all its connections; degraded: some missing; down: none. */
function health(conns: TunnelConnectionRecord[]): TunnelReport['health'] {
  if (conns.length === 0) return 'down';
  const per = new Map<string, TunnelConnectionRecord[]>();
  for (const c of conns) per.set(`${c.connectorId}@${c.edge}`, [...(per.get(`${c.connectorId}@${c.edge}`) ?? []), c]);
  return [...per.values()].every((cs) => cs.length >= cs[0]!.wanted) ? 'healthy' : 'degraded';
}

export async function tunnelReport(store: Pick<Store, 'tunnels'>, appUpstreams: readonly (string | undefined)[], now: number): Promise<TunnelReport[]> {
  const live = await store.tunnels.connections.listSince(now - STALE_AFTER_MS);
  const names = new Set([
    ...appUpstreams.flatMap((u) => (u?.startsWith('tunnel:') ? [u.slice(7)] : [])),
    ...live.map((c) => c.tunnel),
  ]);
  return [...names].sort().map((tunnel) => {
    const conns = live.filter((c) => c.tunnel === tunnel);
    const connectors = [...new Set(conns.map((c) => c.connectorId))].map((id) => {
      const cs = conns.filter((c) => c.connectorId === id);
      return {
        id, version: cs[0]!.version, hostname: cs[0]!.hostname, addresses: [...new Set(cs.map((c) => c.address))],
        edges: [...new Set(cs.map((c) => c.edge))], connections: cs.length, since: Math.min(...cs.map((c) => c.connectedAt)),
      };
    });
    return { tunnel, health: health(conns), connectors };
  });
}
