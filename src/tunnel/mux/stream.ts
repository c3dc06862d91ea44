// One multiplexed stream as a node Duplex, with credit-based flow control in both directions (the
// HTTP/2 WINDOW_UPDATE idea, RFC 9113 §5.2): a sender never has more than INITIAL_WINDOW bytes
// unread at the other end, so one slow reader holds back only its own stream, never the
// connection. Owns: windows, half-close, idle timeouts. Must not: touch the WebSocket itself.
import { Duplex } from 'node:stream';
import { FRAME, INITIAL_WINDOW, MAX_DATA, encode, windowFrame } from './frames.ts';

/** What a stream needs from its connection. */
export interface StreamLink {
  send(frame: Buffer): void;
  /** The stream is gone on this side (its id may be reused by nobody; it is just dropped). */
  forget(id: number): void;
}

export class TunnelStreamError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'TunnelStreamError';
    this.code = code;
  }
}

export class TunnelStream extends Duplex {
  readonly id: number;
  readonly #link: StreamLink;
  #sendWindow = INITIAL_WINDOW;
  #pending: { chunk: Buffer; cb: (err?: Error | null) => void } | null = null;
  /** Bytes the peer may still send before it must wait for our WINDOW frame. */
  #recvAllowed = INITIAL_WINDOW;
  #consumed = 0;
  readonly #inbox: Buffer[] = [];
  #wantRead = false;
  #remoteEnded = false;
  #sentEnd = false;
  #resetByPeer = false;
  #idleMs = 0;
  #idleTimer: NodeJS.Timeout | null = null;
  /** Last byte either way (ms); the idle timer re-arms from it rather than being reset per frame. */
  #lastActive = 0;
  /** Shown in logs and to node's HTTP server as the peer (the connector or the edge). */
  readonly remoteAddress: string | undefined;

  constructor(id: number, link: StreamLink, remoteAddress?: string) {
    super({ allowHalfOpen: true });
    this.id = id;
    this.#link = link;
    this.remoteAddress = remoteAddress;
  }

  // --- from the connection ---

  onData(payload: Buffer): void {
    this.#recvAllowed -= payload.length;
    // The peer ignored our window: its flow control is broken, so this stream ends here.
    if (this.#recvAllowed < 0) return void this.destroy(new TunnelStreamError('FLOW_CONTROL', 'peer exceeded the stream window'));
    if (this.#remoteEnded) return;
    this.#touch();
    this.#inbox.push(payload);
    this.#deliver();
  }

  onWindow(bytes: number): void {
    this.#sendWindow += bytes;
    this.#pump();
  }

  onEnd(): void {
    this.#remoteEnded = true;
    this.#deliver();
  }

  onReset(reason: string): void {
    this.#resetByPeer = true;
    this.destroy(new TunnelStreamError('STREAM_RESET', `stream reset by peer: ${reason || 'no reason'}`));
  }

  // --- Duplex ---

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.#enqueue(chunk, cb);
  }

  #enqueue(chunk: Buffer, cb: (err?: Error | null) => void): void {
    this.#touch();
    this.#pending = { chunk, cb };
    this.#pump();
  }

  // node's HTTP server and client cork the socket around a message, so a response head and its body
  // arrive here together: one DATA frame for all of them instead of one WebSocket message each.
  override _writev(chunks: { chunk: Buffer }[], cb: (err?: Error | null) => void): void {
    this.#enqueue(chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk)), cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.#sentEnd = true;
    this.#link.send(encode(FRAME.end, this.id));
    cb();
  }

  override _read(): void {
    this.#wantRead = true;
    this.#deliver();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    const clean = this.#sentEnd && this.#remoteEnded && this.#inbox.length === 0;
    if (!clean && !this.#resetByPeer) this.#link.send(encode(FRAME.reset, this.id, err ? err.message.slice(0, 120) : 'closed'));
    this.#link.forget(this.id);
    const p = this.#pending;
    this.#pending = null;
    p?.cb(err ?? new TunnelStreamError('STREAM_CLOSED', 'stream closed'));
    cb(err);
  }

  #pump(): void {
    const p = this.#pending;
    if (!p || this.destroyed) return;
    while (p.chunk.length > 0 && this.#sendWindow > 0) {
      const n = Math.min(p.chunk.length, this.#sendWindow, MAX_DATA);
      this.#link.send(encode(FRAME.data, this.id, p.chunk.subarray(0, n)));
      this.#sendWindow -= n;
      p.chunk = p.chunk.subarray(n);
    }
    if (p.chunk.length === 0) {
      this.#pending = null;
      p.cb();
    }
  }

  #deliver(): void {
    while (this.#wantRead && this.#inbox.length > 0) {
      const b = this.#inbox.shift()!;
      this.#consumed += b.length;
      this.#wantRead = this.push(b);
    }
    // Credit goes back in batches of half a window: fewer frames, and the sender never idles.
    if (this.#consumed >= INITIAL_WINDOW / 2 && !this.destroyed) {
      this.#link.send(windowFrame(this.id, this.#consumed));
      this.#recvAllowed += this.#consumed;
      this.#consumed = 0;
    }
    if (this.#remoteEnded && this.#inbox.length === 0 && this.#wantRead) {
      this.#wantRead = false;
      this.push(null);
    }
  }

  // --- the net.Socket surface node's HTTP client and server use ---

  setTimeout(ms: number, onTimeout?: () => void): this {
    if (onTimeout) this.once('timeout', onTimeout);
    this.#idleMs = ms;
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
    this.#touch();
    return this;
  }

  #touch(): void {
    this.#lastActive = Date.now();
    if (this.#idleMs > 0 && !this.#idleTimer && !this.destroyed) this.#armIdle(this.#idleMs);
  }

  // One timer per stream, not one per frame: when it fires early (there was traffic since), it
  // re-arms for the rest of the idle period.
  #armIdle(ms: number): void {
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = null;
      if (this.#idleMs === 0 || this.destroyed) return;
      const idle = Date.now() - this.#lastActive;
      if (idle >= this.#idleMs) this.emit('timeout');
      else this.#armIdle(this.#idleMs - idle);
    }, ms);
    this.#idleTimer.unref();
  }

  setNoDelay(): this { return this; }
  setKeepAlive(): this { return this; }
  ref(): this { return this; }
  unref(): this { return this; }
}
