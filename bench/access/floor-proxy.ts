// The floor (`node bench/run.ts --floor`): the least a Node reverse proxy can do on this machine —
// node:http server, one upstream client, no routing, no auth, no log, no header rules beyond
// dropping hop-by-hop ones — run like Moatless (one process, same upstream). Its ratio to nginx is
// what Node itself allows here; the gap between it and Moatless is what Moatless's own code costs.
// CLIENT=undici (default): an undici Pool driven through `dispatch`, as src/access/upstream.ts does.
// CLIENT=agent: node:http's Agent with keepAlive and `scheduling: 'lifo'`, to compare the two.
// FLOOR_TLS_PORT (with FLOOR_TLS_CERT, FLOOR_TLS_KEY): the same handler also behind a bare
// node:https listener: what terminating TLS costs Node. The bench sends HTTPS to a floor process of
// its own, as it does for Moatless (TLS traffic made the same process's plain path dearer).
// Benchmark support only: must not be imported by Moatless.
import { readFileSync } from 'node:fs';
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { Pool, type Dispatcher } from 'undici';
import { FLOOR_HOP } from './floor-hop.ts';

const port = Number(process.env.FLOOR_PORT);
const upstream = new URL(process.env.FLOOR_UPSTREAM ?? '');
const client = process.env.FLOOR_CLIENT ?? 'undici';

/** The client's headers as a flat list, minus hop-by-hop ones, plus the upstream Host. */
function requestHeaders(req: IncomingMessage): string[] {
  const raw = req.rawHeaders;
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (!FLOOR_HOP.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  out.push('host', upstream.host);
  return out;
}

function responseHeaders(raw: Record<string, string | string[] | undefined>): (string | string[])[] {
  const out: (string | string[])[] = [];
  for (const name in raw) if (!FLOOR_HOP.has(name) && raw[name] !== undefined) out.push(name, raw[name]!);
  return out;
}

function viaUndici(): (req: IncomingMessage, res: ServerResponse) => void {
  const pool = new Pool(upstream.origin, { connections: 256, pipelining: 1, keepAliveTimeout: 60_000 });
  return (req, res) => {
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart() {},
      onResponseStart(_c, status, headers) { res.writeHead(status, responseHeaders(headers)); },
      onResponseData(c, chunk) { if (!res.write(chunk)) { c.pause(); res.once('drain', () => c.resume()); } },
      onResponseEnd() { res.end(); },
      onResponseError() { if (!res.headersSent) res.writeHead(502).end(); else res.destroy(); },
    };
    pool.dispatch({ path: req.url ?? '/', method: req.method ?? 'GET', headers: requestHeaders(req), body: null }, handler);
  };
}

function viaAgent(): (req: IncomingMessage, res: ServerResponse) => void {
  const agent = new Agent({ keepAlive: true, scheduling: 'lifo', maxSockets: 256, maxFreeSockets: 256, keepAliveMsecs: 60_000 });
  return (req, res) => {
    const up = request({ agent, host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: requestHeaders(req), setHost: false }, (r) => {
      res.writeHead(r.statusCode ?? 502, responseHeaders(r.headers));
      r.pipe(res);
    });
    up.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    up.end();
  };
}

const handle = client === 'agent' ? viaAgent() : viaUndici();
createServer({ keepAliveTimeout: 65_000 }, handle).listen(port, '127.0.0.1');
const tlsPort = Number(process.env.FLOOR_TLS_PORT ?? 0);
if (tlsPort > 0) {
  const tls = { cert: readFileSync(process.env.FLOOR_TLS_CERT ?? ''), key: readFileSync(process.env.FLOOR_TLS_KEY ?? '') };
  createHttpsServer({ ...tls, keepAliveTimeout: 65_000 }, handle).listen(tlsPort, '127.0.0.1');
}
// The benchmark went away: exit normally, so a --cpu-prof profile (MOATLESS_BENCH_PROF) is written.
process.on('disconnect', () => process.exit(0));
