// The lean Gateway floor (`node bench/gateway.ts --floor`, row "lean floor inspected HTTPS"): the
// floor (floor-gateway.ts) with node:http's server objects taken off the decrypted side too — a
// prototype of the next step, measured before any product code is written for it. The same TLS
// inspector (minted leaf, TLSSocket over the CONNECT socket, verified upstream TLS), the same
// per-request URL parse and the same upstream client (src/http1/, pooled keep-alive TLS), but
// each decrypted request is parsed by llhttp (src/http1/llhttp.ts) straight into plain values — no
// IncomingMessage or ServerResponse — and answered with one write (head and body). No
// identification, policy, egress check or log. Benchmark support only: handles what the load
// generator sends (GET, no body, keep-alive, in order); must not be imported by Moatless.
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { floorTransport } from './floor-transport.ts';
import * as tls from 'node:tls';
import { H1Parser, type Head } from '../../src/http1/llhttp.ts';

const HOP = new Set(['connection', 'proxy-connection', 'keep-alive', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer',
  'transfer-encoding', 'upgrade', 'host']);

const port = Number(process.env.FLOOR_PORT);
const { inspector, pool } = await floorTransport('Gateway lean floor');

const fields = (raw: string[]): string => {
  let out = '';
  for (let i = 0; i < raw.length; i += 2) if (!HOP.has(raw[i]!.toLowerCase())) out += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return out;
};

/** The decrypted side of one tunnel: requests parsed in order, one in flight at a time. */
function serveDecrypted(socket: tls.TLSSocket, origin: string): void {
  const queue: Head[] = [];
  let busy = false;
  const next = (): void => {
    const r = queue.shift();
    if (!r) return void (busy = false);
    busy = true;
    const url = new URL(origin + r.target);
    const p = url.port ? Number(url.port) : 443;
    const to = pool.poolFor({ user: 'floor', ip: url.hostname, port: p, tls: { servername: url.hostname, verify: true } });
    const head = `${r.method} ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n${fields(r.rawHeaders)}\r\n`;
    to.pool.acquire().then(({ conn }) => {
      let status = 502, raw: string[] = [];
      const body: Buffer[] = [];
      conn.send({ head, body: null, chunked: false, method: r.method, timeoutMs: 60_000 }, {
        onHead: (s, h) => { status = s; raw = h; },
        onData: (b) => void body.push(b),
        onEnd: () => {
          socket.write(Buffer.concat([Buffer.from(`HTTP/1.1 ${status} \r\n${fields(raw)}${r.keepAlive ? '' : 'connection: close\r\n'}\r\n`, 'latin1'), ...body]));
          if (r.keepAlive) next();
          else socket.end();
        },
        onError: () => socket.destroy(),
      });
    }, () => socket.destroy());
  };
  const parser = new H1Parser('request', 16_384, {
    onHead: (h) => void queue.push(h),
    onBody: () => {},
    onEnd: () => { if (!busy) next(); },
  });
  socket.on('data', (d: Buffer) => { if (typeof parser.execute(d) !== 'number') socket.destroy(); });
  socket.on('close', () => parser.close());
  socket.on('error', () => socket.destroy());
}

const server = createServer((_req, res) => res.writeHead(501).end());
server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
  const origin = `https://${req.url}`;
  const host = new URL(origin).hostname;
  client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
  if (head.length > 0) client.unshift(head);
  inspector.contextFor(host).then((secureContext) => {
    const socket = new tls.TLSSocket(client, { isServer: true, secureContext, ALPNProtocols: ['http/1.1'] });
    socket.once('secure', () => serveDecrypted(socket, origin));
    socket.on('error', () => client.destroy());
  }, () => client.destroy());
});
server.listen(port, '127.0.0.1');
