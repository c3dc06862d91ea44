// One tunnel connection: many TunnelStreams over one WebSocket. The edge opens streams; the
// connector only accepts them (it never listens, and never opens anything towards the edge).
// Owns: stream ids, the OPEN handshake, routing frames, liveness pings, containing bad frames.
// Must not: know HTTP, tokens or ingress rules.
import type { WebSocket, RawData } from 'ws';
import { FRAME, MAX_STREAMS, decode, encode } from './frames.ts';
import { TunnelStream, TunnelStreamError } from './stream.ts';

export interface MuxOptions {
  role: 'edge' | 'connector';
  /** Called on the connector for every stream the edge opens. */
  onStream?: (s: TunnelStream) => void;
  /** The peer's address, for logs and for node's HTTP server. */
  remoteAddress?: string;
  pingEveryMs?: number;
  maxStreams?: number;
  /**
   * The socket under the WebSocket. Frames made in one tick (a response head and its body, a
   * WINDOW, other streams' frames) are corked together and leave in one writev instead of a
   * syscall and a TCP segment each.
   */
  socket?: { cork(): void; uncork(): void };
}

export class MuxSession {
  readonly #ws: WebSocket;
  readonly #opts: MuxOptions;
  readonly #streams = new Map<number, TunnelStream>();
  readonly #opening = new Map<number, { resolve: (s: TunnelStream) => void; reject: (e: Error) => void }>();
  #nextId = 1;
  #alive = true;
  #closed = false;
  readonly #pinger: NodeJS.Timeout;
  readonly #closeHandlers: ((why: string) => void)[] = [];
  /** Why the connection ended, once it has. */
  closeReason: string | null = null;

  constructor(ws: WebSocket, opts: MuxOptions) {
    this.#ws = ws;
    this.#opts = opts;
    ws.binaryType = 'nodebuffer';
    ws.on('message', (m: RawData, isBinary: boolean) => this.#onMessage(m, isBinary));
    ws.on('pong', () => (this.#alive = true));
    ws.on('close', (code: number, reason: Buffer) => this.#end(`closed (${code}${reason.length ? ` ${reason}` : ''})`));
    ws.on('error', (err: Error) => this.#end(`error: ${err.message}`));
    // A peer that vanished without a FIN (cable pulled, VM frozen) is found by a missed pong.
    this.#pinger = setInterval(() => {
      if (!this.#alive) return void ws.terminate();
      this.#alive = false;
      ws.ping();
    }, opts.pingEveryMs ?? 10_000);
    this.#pinger.unref();
  }

  get streamCount(): number {
    return this.#streams.size + this.#opening.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  onClose(fn: (why: string) => void): void {
    if (this.#closed) fn(this.closeReason ?? 'closed');
    else this.#closeHandlers.push(fn);
  }

  /** Edge only: a new stream, resolved once the connector accepted it. */
  open(timeoutMs: number): Promise<TunnelStream> {
    if (this.#opts.role !== 'edge') return Promise.reject(new Error('only the edge opens streams'));
    if (this.#closed) return Promise.reject(new TunnelStreamError('ECONNRESET', 'tunnel connection closed'));
    const id = this.#nextId;
    this.#nextId += 2;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#opening.delete(id);
        this.#send(encode(FRAME.reset, id, 'open timed out'));
        reject(new TunnelStreamError('TUNNEL_CONNECT_TIMEOUT', 'the connector did not accept the stream in time'));
      }, timeoutMs);
      this.#opening.set(id, {
        resolve: (s) => { clearTimeout(timer); resolve(s); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.#send(encode(FRAME.open, id));
    });
  }

  /** Closes the connection; every stream on it is reset. */
  close(code = 1000, reason = 'closing'): void {
    if (this.#ws.readyState === this.#ws.OPEN) this.#ws.close(code, reason);
    this.#end(reason);
    // A peer that never answers the close handshake must not keep the socket.
    setTimeout(() => this.#ws.terminate(), 2000).unref();
  }

  #corked = false;

  #send(frame: Buffer): void {
    if (this.#ws.readyState !== this.#ws.OPEN) return;
    const socket = this.#opts.socket;
    if (socket && !this.#corked) {
      this.#corked = true;
      socket.cork();
      process.nextTick(() => {
        this.#corked = false;
        socket.uncork();
      });
    }
    this.#ws.send(frame, { binary: true });
  }

  #link = {
    send: (frame: Buffer) => this.#send(frame),
    forget: (id: number) => void this.#streams.delete(id),
  };

  #onMessage(raw: RawData, isBinary: boolean): void {
    const msg = Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw);
    const f = isBinary ? decode(msg) : 'text message on a binary protocol';
    if (typeof f === 'string') return this.close(1002, `protocol error: ${f}`);
    const s = this.#streams.get(f.stream);
    switch (f.type) {
      case FRAME.data: return s?.onData(f.payload);
      case FRAME.window: return s?.onWindow(f.payload.readUInt32BE(0));
      case FRAME.end: return s?.onEnd();
      case FRAME.reset: {
        const waiting = this.#opening.get(f.stream);
        this.#opening.delete(f.stream);
        waiting?.reject(new TunnelStreamError('ECONNREFUSED', `connector refused the stream: ${f.payload}`));
        return s?.onReset(String(f.payload));
      }
      case FRAME.openOk: {
        const waiting = this.#opening.get(f.stream);
        if (!waiting || this.#opts.role !== 'edge') return this.close(1002, 'protocol error: unexpected OPEN_OK');
        this.#opening.delete(f.stream);
        const stream = this.#add(f.stream);
        return waiting.resolve(stream);
      }
      case FRAME.open: {
        if (this.#opts.role !== 'connector' || this.#streams.has(f.stream) || f.stream % 2 === 0) {
          return this.close(1002, 'protocol error: unexpected OPEN');
        }
        if (this.#streams.size >= (this.#opts.maxStreams ?? MAX_STREAMS)) {
          return this.#send(encode(FRAME.reset, f.stream, 'too many streams'));
        }
        const stream = this.#add(f.stream);
        this.#send(encode(FRAME.openOk, f.stream));
        return this.#opts.onStream?.(stream);
      }
    }
  }

  #add(id: number): TunnelStream {
    const s = new TunnelStream(id, this.#link, this.#opts.remoteAddress);
    // A reset before its consumer attached listeners must not become an uncaught 'error'.
    s.on('error', () => undefined);
    this.#streams.set(id, s);
    return s;
  }

  #end(why: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.closeReason = why;
    clearInterval(this.#pinger);
    const gone = new TunnelStreamError('ECONNRESET', `tunnel connection lost: ${why}`);
    for (const w of this.#opening.values()) w.reject(gone);
    this.#opening.clear();
    for (const s of [...this.#streams.values()]) s.destroy(gone);
    this.#streams.clear();
    for (const fn of this.#closeHandlers.splice(0)) fn(why);
  }
}
