// The 1 GiB transfers of the tunnel benchmark: a byte origin behind the connector (POST /upload
// counts the body and answers the count; GET /download?bytes=N streams N bytes), the client side
// that pushes or pulls through the edge with backpressure, and an RSS sampler for the edge and the
// connector. Each transfer stops at its deadline; the figure then says how much went through.
// Benchmark support only; loopback only.
import { once } from 'node:events';
import { createServer, request, type ClientRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rssOf } from '../lib/procs.ts';

const CHUNK = Buffer.alloc(64 * 1024, 0x61);

export async function startByteOrigin(): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://origin');
    if (req.method === 'POST' && url.pathname === '/upload') {
      let bytes = 0;
      req.on('data', (c: Buffer) => (bytes += c.length));
      req.on('end', () => res.end(JSON.stringify({ bytes })));
      return;
    }
    let left = Number(url.searchParams.get('bytes') ?? 0);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(left) });
    const pump = () => {
      while (left > 0 && !res.destroyed) {
        const n = Math.min(left, CHUNK.length);
        left -= n;
        if (!res.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) return void res.once('drain', pump);
      }
      if (left === 0) res.end();
    };
    pump();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

export interface Target { port: number; host: string; cookie: string }
export interface Transfer { bytes: number; ms: number; complete: boolean }

function open(t: Target, method: string, path: string) {
  return request({ host: '127.0.0.1', port: t.port, method, path, agent: false,
    headers: { host: `${t.host}:${t.port}`, cookie: t.cookie, 'content-type': 'application/octet-stream' } });
}
const response = (req: ClientRequest) =>
  new Promise<IncomingMessage>((resolve, reject) => { req.on('response', resolve); req.on('error', reject); });
const readAll = (res: IncomingMessage) => new Promise<string>((resolve, reject) => {
  let s = '';
  res.on('data', (c: Buffer) => (s += c.toString()));
  res.on('end', () => resolve(s));
  res.on('error', reject);
});

/** Streams up to `total` bytes as a chunked request body; the origin's count is the figure. */
export async function upload(t: Target, total: number, deadlineMs: number): Promise<Transfer> {
  const start = Date.now();
  const req = open(t, 'POST', '/upload');
  const answer = response(req);
  let sent = 0;
  while (sent < total && Date.now() - start < deadlineMs) {
    const n = Math.min(CHUNK.length, total - sent);
    sent += n;
    // events.once rejects on 'error' and removes both listeners, so none pile up per chunk.
    if (!req.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) await once(req, 'drain');
  }
  req.end();
  const res = await answer;
  const body = await readAll(res);
  if (res.statusCode !== 200) throw new Error(`upload answered ${res.statusCode}: ${body.slice(0, 300)}`);
  const { bytes } = JSON.parse(body) as { bytes: number };
  if (bytes !== sent) throw new Error(`upload: sent ${sent} bytes, the origin counted ${bytes}`);
  return { bytes, ms: Date.now() - start, complete: bytes === total };
}

/** Pulls up to `total` bytes; at the deadline the response is dropped and the count so far is the figure. */
export async function download(t: Target, total: number, deadlineMs: number): Promise<Transfer> {
  const start = Date.now();
  const req = open(t, 'GET', `/download?bytes=${total}`);
  req.end();
  const res = await response(req);
  if (res.statusCode !== 200) {
    throw new Error(`download answered ${res.statusCode}: ${(await readAll(res)).slice(0, 300)}`);
  }
  let bytes = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { res.destroy(); resolve(); }, deadlineMs);
    res.on('data', (c: Buffer) => (bytes += c.length));
    res.on('end', () => { clearTimeout(timer); resolve(); });
    res.on('error', (err) => { clearTimeout(timer); reject(err); });
  });
  return { bytes, ms: Date.now() - start, complete: bytes === total };
}

/** Samples the RSS of `pids` every 50 ms; `stop()` gives each one's peak growth over its start. */
export function rssPeaks(pids: number[]): { stop: () => Promise<number[]> } {
  const base = pids.map(() => Number.NaN);
  const peak = pids.map(() => 0);
  const sample = async () => {
    await Promise.all(pids.map(async (pid, i) => {
      const rss = await rssOf(pid);
      if (Number.isNaN(base[i]!)) base[i] = rss;
      peak[i] = Math.max(peak[i]!, rss);
    }));
  };
  const first = sample();
  const timer = setInterval(() => void sample().catch(() => {}), 50);
  return {
    stop: async () => {
      clearInterval(timer);
      await first;
      await sample();
      return peak.map((p, i) => Math.max(0, p - base[i]!));
    },
  };
}
