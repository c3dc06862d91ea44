// The Gateway floor (`node bench/gateway.ts --floor`): Moatless's own transport — the TLS inspector
// (a TLSSocket over the CONNECT socket, its decrypted side on src/http1/server-connection.ts), the upstream pool (the src/http1/
// client) and `forward` — with nothing else: no identification, no policy, no egress check, no
// log. Its CPU per request against Moatless's is what the gateway's own per-request code costs;
// against Squid's, how far this transport can go on this machine. Benchmark support only: must not
// be imported by Moatless, and never listens beyond loopback.
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import { floorTransport } from './floor-transport.ts';
import { forward } from '../../src/gateway/forward.ts';
import type { ProxyRequest, Reply } from '../../src/gateway/responses.ts';

const port = Number(process.env.FLOOR_PORT);
const { inspector, pool } = await floorTransport('Gateway floor');

function relay(req: ProxyRequest, body: Readable | null, res: Reply, url: URL, secure: boolean): void {
  const p = url.port ? Number(url.port) : secure ? 443 : 80;
  const to = pool.poolFor({ user: 'floor', ip: url.hostname, port: p, tls: secure ? { servername: url.hostname, verify: true } : null });
  forward(req, body, res, to, url, 60_000).catch(() => res.destroy());
}

const server = createServer((req, res) => relay(req, req, res, new URL(req.url ?? ''), false));
server.on('connect', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
  const origin = `https://${req.url}`;
  socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
  inspector.intercept(socket, head, new URL(origin).hostname, (ireq, ires) => relay(ireq, ireq.body, ires, new URL(origin + ireq.url), true));
});
server.listen(port, '127.0.0.1');
