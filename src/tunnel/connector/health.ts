// The connector's local health and metrics port (loopback by default): `/healthz` and `/ready`
// answer 200 while at least one edge connection is up (503 otherwise), `/metrics` is Prometheus.
// Must not: serve anything else, or bind a non-loopback address unless told to.
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';

export class ConnectorMetrics {
  readonly registry = new Registry();
  readonly connections = new Gauge({ name: 'moatless_connector_connections', help: 'Edge connections up', registers: [this.registry] });
  readonly reconnects = new Counter({ name: 'moatless_connector_reconnects_total', help: 'Edge connections lost or refused', labelNames: ['kind'], registers: [this.registry] });
  readonly requests = new Counter({ name: 'moatless_connector_requests_total', help: 'Requests forwarded, by outcome', labelNames: ['outcome'], registers: [this.registry] });
}

export async function startHealthServer(address: string, m: ConnectorMetrics, up: () => number): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/healthz' || path === '/ready') {
      const n = up();
      const body = JSON.stringify({ status: n > 0 ? 'ok' : 'no edge connection', connections: n });
      res.writeHead(n > 0 ? 200 : 503, { 'content-type': 'application/json' });
      return void res.end(body);
    }
    if (path === '/metrics') {
      void m.registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': m.registry.contentType });
        res.end(text);
      });
      return;
    }
    res.writeHead(404).end();
  });
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[|\]$/g, '');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(address.slice(i + 1)), host, () => resolve());
  });
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : 0;
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, server };
}
