// The transport floor (`node bench/run.ts --floor`): Moatless's own HTTP/1.1 transport — the lean
// server side (src/http1/server-connection.ts) and the keep-alive upstream client (src/http1/pool.ts)
// that Access runs — with none of Access's per-request work: no routing, guard, session, policy,
// identity headers or log. Hop-by-hop fields dropped, the upstream Host set, a small response of
// known length gathered and written whole (as src/access/upstream.ts does), larger ones streamed.
// Moatless minus this floor is what Access's own request path costs; this floor minus the
// node:http + undici floor (floor-proxy.ts) is what the transport gains or costs against Node's own.
// FLOOR_TLS_PORT (with FLOOR_TLS_CERT, FLOOR_TLS_KEY): the same behind node:tls, as Access serves HTTPS.
// Benchmark support only: must not be imported by Moatless.
import { readFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { ConnectionPool } from '../../src/http1/pool.ts';
import { serveHttp1, type ServerReply, type ServerRequest } from '../../src/http1/server-connection.ts';
import { FLOOR_HOP } from './floor-hop.ts';

const port = Number(process.env.FLOOR_PORT);
const upstream = new URL(process.env.FLOOR_UPSTREAM ?? '');
const GATHER_MAX = 64 * 1024;

const pool = new ConnectionPool({
  open: () => new Promise<Socket>((resolve, reject) => {
    const s = connect(Number(upstream.port), upstream.hostname, () => resolve(s.off('error', reject)));
    s.once('error', reject);
  }),
  idleMs: 60_000, maxIdle: 256, maxHeaderBytes: 16_384,
});

function requestHead(req: ServerRequest): string {
  let head = `${req.method} ${req.url} HTTP/1.1\r\n`;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) if (!FLOOR_HOP.has(raw[i]!.toLowerCase())) head += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return `${head}host: ${upstream.host}\r\n\r\n`;
}

async function handle(req: ServerRequest, res: ServerReply): Promise<void> {
  let conn;
  try {
    ({ conn } = await pool.acquire());
  } catch {
    return void res.writeHead(502).end();
  }
  let status = 502;
  let fields: string[] = [];
  let gathered: Buffer[] | null = null;
  conn.send({ head: requestHead(req), body: null, chunked: false, method: req.method, timeoutMs: 30_000 }, {
    onHead(s, raw) {
      status = s;
      let length = -1;
      for (let i = 0; i < raw.length; i += 2) {
        const name = raw[i]!.toLowerCase();
        if (name === 'content-length') length = Number(raw[i + 1]);
        if (!FLOOR_HOP.has(name)) fields.push(raw[i]!, raw[i + 1]!);
      }
      if (length >= 0 && length <= GATHER_MAX) gathered = [];
      else res.writeHead(status, fields);
    },
    onData(chunk) {
      if (gathered) gathered.push(chunk);
      else if (!res.write(chunk)) {
        conn.pause();
        res.once('drain', () => conn.resume());
      }
    },
    onEnd() {
      if (!gathered) return void res.end();
      res.writeHead(status, fields);
      res.end(gathered.length === 1 ? gathered[0] : Buffer.concat(gathered));
    },
    onError() {
      if (res.headersSent) res.destroy();
      else res.writeHead(502).end();
    },
  });
}

const options = { maxHeaderBytes: 16_384, headersTimeoutMs: 10_000, keepAliveMs: 65_000 };
const serve = (socket: Socket) => serveHttp1(socket, options, (req, res) => void handle(req, res));
createServer(serve).listen(port, '127.0.0.1');
const tlsPort = Number(process.env.FLOOR_TLS_PORT ?? 0);
if (tlsPort > 0) {
  const tls = { cert: readFileSync(process.env.FLOOR_TLS_CERT ?? ''), key: readFileSync(process.env.FLOOR_TLS_KEY ?? '') };
  createTlsServer({ ...tls, ALPNProtocols: ['http/1.1'] }, serve).listen(tlsPort, '127.0.0.1');
}
// The benchmark went away: exit normally, so a --cpu-prof profile (MOATLESS_BENCH_PROF) is written.
process.on('disconnect', () => process.exit(0));
