// One keep-alive HTTP/1.1 connection from a proxy (Access or the Gateway) to an origin (plain or TLS, already dialled
// and verified by the caller): one exchange at a time, the request head in one write, the body
// streamed with back-pressure (Content-Length as given, or re-chunked), the response parsed by
// llhttp (llhttp.ts) and handed over as status, raw fields and body pieces. No body is read after a
// HEAD (RFC 9110 §9.3.2), 204 or 304; 1xx responses are skipped (RFC 9110 §15.2); a response
// without length ends when the origin closes (RFC 9112 §6.3). The connection is offered back for
// reuse only when the response was read to its end, the request body was sent whole and neither
// side said close. Transport library (src/http1/): must not decide policy, dial, log, or import
// anything from a capability (src/access, src/gateway).
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { H1Parser, type ParseError } from './llhttp.ts';
import { setReading, type NativeStream } from './native-stream.ts';

export interface Exchange {
  /** The final response's status line and fields (as received, names in their case). */
  onHead(status: number, rawHeaders: string[]): void;
  onData(chunk: Buffer): void;
  onEnd(): void;
  /** The exchange failed; `responded` says whether onHead was already called. */
  onError(err: Error, responded: boolean): void;
}

export interface Outgoing {
  /** Request line, fields and the blank line, latin1. */
  head: string;
  /** The request body, or null for none. */
  body: Readable | null;
  /** Send the body chunked (its length is not known); otherwise it is sent as it comes (Content-Length). */
  chunked: boolean;
  /** The request's method: after HEAD the response has no body whatever its fields say. */
  method: string;
  /** No byte from the origin for this long (waiting for the head, or between body pieces): the exchange fails. */
  timeoutMs: number;
}

export class UpstreamTimeout extends Error {
  constructor(ms: number) {
    super(`the origin sent nothing for ${ms} ms`);
    this.name = 'UpstreamTimeout';
  }
}

/** `Keep-Alive: timeout=N` (RFC 9112 §9.3 names the field; its parameters are de facto), in ms less 1 s, or null. */
function announcedIdleMs(raw: string[]): number | null {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.length !== 10 || raw[i]!.toLowerCase() !== 'keep-alive') continue;
    const m = /(?:^|[,;\s])timeout\s*=\s*(\d+)/i.exec(raw[i + 1]!);
    if (m) return Math.max(0, Number(m[1]) * 1000 - 1000);
  }
  return null;
}

export class H1Connection {
  readonly socket: Socket;
  readonly #parser: H1Parser;
  readonly #release: (c: H1Connection) => void;
  #x: Exchange | null = null;
  #isHead = false;
  #final = false;
  #keepAlive = false;
  #bodyDone = true;
  #stopBody: (() => void) | null = null;
  #timeoutMs = 0;
  /**
   * The no-activity limit: one timer per connection, refreshed on each read and write — not
   * socket.setTimeout, which makes a new timer whenever the limit changes (three times an exchange)
   * and cannot see reads the parser makes itself.
   */
  #timer: NodeJS.Timeout | null = null;
  /** The socket's native stream while the parser reads it itself, else null ('data' events). */
  readonly #stream: NativeStream | null;
  /** Exchanges started on this connection. */
  uses = 0;
  /**
   * How long the origin said it keeps this connection idle (`Keep-Alive: timeout=N` on the last
   * response), less a second of margin as undici does; null when it said nothing.
   */
  keepAliveMs: number | null = null;

  constructor(socket: Socket, maxHeaderBytes: number, release: (c: H1Connection) => void) {
    this.socket = socket;
    this.#release = release;
    this.#parser = new H1Parser('response', maxHeaderBytes, {
      // A response beginning while no request is out: the origin is not speaking HTTP/1.1 to us (or is desynchronised).
      onBegin: () => {
        if (this.#x === null) this.destroy();
      },
      onHead: (h) => {
        // A second response after the one asked for (same read): never handed to anyone.
        if (this.#x === null) return void this.destroy();
        if (h.upgrade) return void this.#fail(new Error(`the origin switched protocols (${h.status}) on a request that asked for none`));
        // 1xx: informational, the final response follows on the same exchange.
        if (h.status < 200) return false;
        this.#final = true;
        this.#keepAlive = h.keepAlive;
        this.keepAliveMs = announcedIdleMs(h.rawHeaders);
        this.#x?.onHead(h.status, h.rawHeaders);
        return this.#isHead;
      },
      onBody: (b) => this.#x?.onData(b),
      onEnd: () => {
        if (!this.#final) return;
        this.#final = false;
        const x = this.#x;
        this.#x = null;
        if (this.#keepAlive && this.#bodyDone && !socket.destroyed) this.#release(this);
        else this.destroy();
        x?.onEnd();
      },
    });
    socket.on('data', (d: Buffer) => {
      // Bytes while no request is out: the origin is not speaking HTTP/1.1 to us (or is desynchronised).
      if (this.#x === null) return void this.destroy();
      this.#timer?.refresh();
      const r = this.#parser.execute(d);
      if (typeof r !== 'number') this.#fail(r);
    });
    // Read by the parser itself where the socket allows (a TCP or TLS socket; a tunnel's stream: 'data').
    this.#stream = this.#parser.consume(socket, (r) => {
      this.#timer?.refresh();
      if (typeof r !== 'number') this.#fail(r);
    });
    socket.on('end', () => {
      // A response delimited by the close ends here; a cut one is an error.
      const e: ParseError | null = this.#x ? this.#parser.finish() : null;
      this.#fail(e ?? new Error('the origin closed the connection'));
    });
    socket.on('close', () => {
      this.#fail(new Error('the origin closed the connection'));
      // Only here, never inside a parser callback: the native parser is freed once nothing runs in it.
      this.#parser.close();
    });
    socket.on('error', (err: Error) => this.#fail(err));
  }

  readonly #onTimeout = (): void => {
    this.#timer = null;
    if (this.#x) this.#fail(new UpstreamTimeout(this.#timeoutMs));
    else this.destroy();
  };

  get busy(): boolean {
    return this.#x !== null;
  }

  send(o: Outgoing, x: Exchange): void {
    if (this.#x) throw new Error('one exchange at a time');
    this.uses++;
    this.#x = x;
    this.#isHead = o.method === 'HEAD';
    this.#final = false;
    this.#bodyDone = o.body === null;
    // Sets or refreshes the limit: the request going out is activity.
    this.idle(o.timeoutMs);
    this.socket.write(o.head, 'latin1');
    if (o.body) this.#pump(o.body, o.chunked);
  }

  /** Sets the no-activity limit (the exchange's while busy, the pool's while idle). */
  idle(ms: number): void {
    if (ms === this.#timeoutMs && this.#timer !== null) return void this.#timer.refresh();
    this.#timeoutMs = ms;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = ms > 0 && !this.socket.destroyed ? setTimeout(this.#onTimeout, ms).unref() : null;
  }

  pause(): void {
    if (this.#stream !== null) setReading(this.#stream, false);
    else this.socket.pause();
  }

  resume(): void {
    if (this.#stream !== null) setReading(this.#stream, true);
    else this.socket.resume();
  }

  destroy(): void {
    this.#stopBody?.();
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    this.socket.destroy();
  }

  #fail(err: Error): void {
    const x = this.#x;
    this.#x = null;
    this.destroy();
    x?.onError(err, this.#final);
  }

  /** The request body to the origin, pausing the client while the origin's socket is full. */
  #pump(body: Readable, chunked: boolean): void {
    const socket = this.socket;
    const onData = (c: Buffer) => {
      if (c.length === 0) return;
      // A long upload is activity too: the origin may say nothing until the body is in.
      this.#timer?.refresh();
      let ok: boolean;
      if (chunked) {
        socket.cork();
        socket.write(`${c.length.toString(16)}\r\n`, 'latin1');
        socket.write(c);
        ok = socket.write('\r\n', 'latin1');
        socket.uncork();
      } else ok = socket.write(c);
      if (!ok) body.pause();
    };
    const onDrain = () => body.resume();
    const onEnd = () => {
      stop();
      if (chunked) socket.write('0\r\n\r\n', 'latin1');
      this.#bodyDone = true;
    };
    // The client went away mid-body: the origin got a cut request, so the connection is done for.
    const onAbort = () => this.#fail(new Error('the client went away while sending the body'));
    const stop = () => {
      this.#stopBody = null;
      body.off('data', onData).off('end', onEnd).off('error', onAbort).off('close', onClose);
      socket.off('drain', onDrain);
    };
    const onClose = () => {
      if (!this.#bodyDone) onAbort();
    };
    this.#stopBody = stop;
    body.on('data', onData).on('end', onEnd).on('error', onAbort).on('close', onClose);
    socket.on('drain', onDrain);
  }
}
