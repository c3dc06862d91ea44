// `moatless connector`'s composition root: N connections to every edge address, one origin proxy
// behind them all, the health port. Owns: wiring and shutdown. Must not: open a port other than
// the loopback health port.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { assertionCheck } from './assertion-check.ts';
import type { EdgeTarget } from './edge-dial.ts';
import { EdgeLink } from './edge-link.ts';
import { ConnectorMetrics, startHealthServer } from './health.ts';
import type { IngressRule } from './ingress.ts';
import { OriginProxy } from './origin-proxy.ts';

export interface ConnectorOptions {
  /** Every edge replica to hold connections to (same token everywhere). */
  targets: EdgeTarget[];
  token: string;
  connections: number;
  rules: IngressRule[];
  /** `host:port` of the health and metrics server. */
  metricsAddress: string;
  requireAssertion: { header: string; audiences: string[] } | null;
  version: string;
  logger: Logger;
  backoff?: { baseMs: number; maxMs: number };
}

export interface RunningConnector {
  id: string;
  metricsUrl: string;
  /** Edge connections up right now. */
  up(): number;
  close(): Promise<void>;
}

export async function startConnector(o: ConnectorOptions): Promise<RunningConnector> {
  const id = randomUUID();
  const host = hostname();
  const metrics = new ConnectorMetrics();
  const first = o.targets[0];
  if (!first) throw new Error('at least one edge is needed');
  const proxy = new OriginProxy({
    rules: o.rules, hostname: host,
    timeouts: { connectMs: 5_000, headersMs: 60_000, bodyMs: 300_000 },
    assertion: o.requireAssertion ? assertionCheck({ target: first, ...o.requireAssertion }) : null,
    onRequest: (outcome) => metrics.requests.inc({ outcome }),
  });
  const links: EdgeLink[] = [];
  const up = () => links.filter((l) => l.connected).length;
  for (const target of o.targets) {
    for (let i = 0; i < o.connections; i++) {
      links.push(new EdgeLink({
        target, token: o.token, connectorId: id, version: o.version, hostname: host, wanted: o.connections,
        onStream: (s, tunnel) => proxy.accept(s, tunnel),
        onEvent: (e) => {
          metrics.connections.set(up());
          const where = target.address ? `${target.url.host} via ${target.address.host}:${target.address.port}` : target.url.host;
          if (e.kind === 'up') o.logger.info({ edge: where, tunnel: e.detail }, 'edge connection up');
          else {
            metrics.reconnects.inc({ kind: e.kind });
            o.logger[e.kind === 'refused' ? 'error' : 'warn']({ edge: where, why: e.detail, retryInMs: e.retryInMs }, 'edge connection down; retrying');
          }
        },
        ...(o.backoff ? { backoff: o.backoff } : {}),
      }));
    }
  }
  const health = await startHealthServer(o.metricsAddress, metrics, up);
  for (const l of links) l.start();
  return {
    id, metricsUrl: health.url, up,
    async close() {
      for (const l of links) l.stop();
      health.server.close();
      await proxy.close();
    },
  };
}
