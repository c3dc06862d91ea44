// A closed-loop HTTP/1.1 load generator that can go through a forward proxy, which wrk cannot:
// `direct` (origin-form to the server), `absolute` (absolute-form `GET http://…` to the proxy) and
// `tunnel` (`CONNECT` to the proxy, then TLS to whoever answers inside: the origin for a blind
// tunnel, the proxy's minted certificate when it inspects). Each connection sends one request,
// reads the whole response (Content-Length or chunked), records the latency and sends the next:
// keep-alive on every hop, like wrk -c N. With `reconnect`, every request opens a new connection
// (and, for a tunnel, a new CONNECT and TLS handshake): handshakes per second. Raw sockets so the
// generator's own cost stays small and identical for every proxy measured. Loopback only.
import { connect as netConnect, type Socket } from 'node:net';
import { checkServerIdentity, connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';

export interface LoadSpec {
  mode: 'direct' | 'absolute' | 'tunnel';
  /** Where the sockets connect: the origin for `direct`, the proxy otherwise. */
  port: number;
  /** The origin, as the proxy sees it (`host:port`). */
  target: string;
  /** TLS to the origin (always for `tunnel`). */
  tls?: { ca: string; servername?: string };
  connections: number;
  seconds: number;
  /** Source address of the client sockets (a Do Not Inspect rule may key on it). */
  localAddress?: string;
  reconnect?: boolean;
  path?: string;
}

export interface LoadResult {
  requests: number;
  errors: number;
  non2xx: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  seconds: number;
  /** The last connection error, for a setup that fails. */
  lastError?: string;
}

/** Reads HTTP/1.1 responses off a socket, one at a time; the body is counted, not kept. */
export class ResponseReader {
  #buf: Buffer = Buffer.alloc(0);
  #waiting: { resolve: (status: number) => void; reject: (e: Error) => void } | null = null;
  #state: { status: number; remaining: number; chunked: boolean } | null = null;

  constructor(socket: Duplex) {
    socket.on('data', (c: Buffer) => {
      this.#buf = this.#buf.length === 0 ? c : Buffer.concat([this.#buf, c]);
      this.#pump();
    });
    const fail = (e?: Error) => this.#waiting?.reject(e ?? new Error('connection closed'));
    socket.on('error', fail);
    socket.on('close', () => fail());
  }

  next(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.#pump();
    });
  }

  #pump(): void {
    if (!this.#waiting) return;
    if (!this.#state) {
      const end = this.#buf.indexOf('\r\n\r\n');
      if (end === -1) return;
      const head = this.#buf.subarray(0, end).toString('latin1');
      this.#buf = this.#buf.subarray(end + 4);
      const status = Number(head.slice(9, 12));
      const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      const chunked = /\r\ntransfer-encoding:\s*chunked/i.test(head);
      this.#state = { status, remaining: cl ? Number(cl[1]) : 0, chunked };
    }
    const s = this.#state;
    if (s.chunked) {
      // Chunks until the zero-size one and its empty trailer line.
      for (;;) {
        const eol = this.#buf.indexOf('\r\n');
        if (eol === -1) return;
        const size = parseInt(this.#buf.subarray(0, eol).toString('latin1'), 16);
        const need = eol + 2 + size + 2;
        if (this.#buf.length < need) return;
        this.#buf = this.#buf.subarray(need);
        if (size === 0) break;
      }
    } else {
      const take = Math.min(s.remaining, this.#buf.length);
      s.remaining -= take;
      this.#buf = this.#buf.subarray(take);
      if (s.remaining > 0) return;
    }
    this.#state = null;
    const w = this.#waiting;
    this.#waiting = null;
    w.resolve(s.status);
  }
}

function readConnectReply(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (c: Buffer) => {
      buf += c.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      if (!/^HTTP\/1\.[01] 200/.test(buf)) return reject(new Error(`CONNECT refused: ${buf.slice(0, 80)}`));
      if (end + 4 < buf.length) socket.unshift(Buffer.from(buf.slice(end + 4), 'latin1'));
      resolve();
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

async function open(spec: LoadSpec): Promise<Duplex> {
  const tcp = netConnect({ host: '127.0.0.1', port: spec.port, noDelay: true, ...(spec.localAddress ? { localAddress: spec.localAddress } : {}) });
  await new Promise<void>((resolve, reject) => { tcp.once('connect', resolve); tcp.once('error', reject); });
  if (spec.mode === 'tunnel') {
    tcp.write(`CONNECT ${spec.target} HTTP/1.1\r\nHost: ${spec.target}\r\n\r\n`);
    await readConnectReply(tcp);
  }
  if (!spec.tls) return tcp;
  // Verified like a browser would: the chain against spec.tls.ca, the name (or IP SAN) against the target.
  const host = spec.target.slice(0, spec.target.lastIndexOf(':')).replace(/^\[|\]$/g, '');
  const t = tlsConnect({ socket: tcp, ca: spec.tls.ca, ALPNProtocols: ['http/1.1'], ...(spec.tls.servername ? { servername: spec.tls.servername } : {}), checkServerIdentity: (_h, cert) => checkServerIdentity(host, cert) });
  await new Promise<void>((resolve, reject) => { t.once('secureConnect', resolve); t.once('error', reject); });
  return t;
}

function requestBytes(spec: LoadSpec): Buffer {
  const path = spec.path ?? '/';
  const line = spec.mode === 'absolute' ? `http://${spec.target}${path}` : path;
  return Buffer.from(`GET ${line} HTTP/1.1\r\nHost: ${spec.target}\r\nUser-Agent: moatless-bench\r\nAccept: */*\r\n\r\n`, 'latin1');
}

/** Runs `spec` for its duration and returns throughput and latency percentiles. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const req = requestBytes(spec);
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  let lastError: string | undefined;
  const started = performance.now();
  const deadline = started + spec.seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      let socket: Duplex | null = null;
      try {
        // With reconnect, a request's latency includes its connection (and CONNECT, and handshake).
        let t0 = performance.now();
        socket = await open(spec);
        const reader = new ResponseReader(socket);
        do {
          if (!spec.reconnect) t0 = performance.now();
          socket.write(req);
          const status = await reader.next();
          latencies.push(performance.now() - t0);
          if (status < 200 || status >= 400) non2xx++;
        } while (!spec.reconnect && performance.now() < deadline);
      } catch (err) {
        errors++;
        lastError = (err as Error).message;
        await new Promise((r) => setTimeout(r, 10));
      } finally {
        socket?.destroy();
      }
    }
  };
  await Promise.all(Array.from({ length: spec.connections }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]! : Number.NaN);
  return { requests: latencies.length, errors, non2xx, rps: latencies.length / seconds, p50Ms: pct(0.5), p99Ms: pct(0.99), seconds, ...(lastError ? { lastError } : {}) };
}
