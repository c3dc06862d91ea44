// The server side of one HTTP/1.1 connection on any Duplex (the Gateway's decrypted tunnels; Access
// may adopt it): requests parsed strictly by llhttp (llhttp.ts) and handed over as plain values,
// answered in order one at a time, each response framed by server-message.ts (one write for a head
// and whole body; Content-Length enforced, else chunked; no body after HEAD, 204 or 304).
// Refused with a status and the connection closed: malformed or smuggling-shaped requests (400),
// headers past the byte or field limit (431), a missing or repeated Host (400, RFC 9112 §3.2),
// an unknown expectation (417), a head not complete within the headers timeout (408). Idle
// keep-alive connections close `keepAliveMs` after their last response. `Expect: 100-continue` is answered when the
// request's turn comes. An Upgrade request hands the socket over. A request the caller does not
// serve here (`handOff`) hands the whole connection over, bytes included. Transport library (src/http1/):
// must not decide policy, dial, log, or import anything from a capability (src/access, src/gateway).
import { STATUS_CODES, type IncomingHttpHeaders } from 'node:http';
import { Readable, type Duplex } from 'node:stream';
import { H1Parser, type Head, type ParseError } from './llhttp.ts';
import { requestBody } from './message.ts';
import { setReading, type NativeStream } from './native-stream.ts';
import { ServerReply, ServerRequest, type ReplyConnection } from './server-message.ts';

export { ServerReply, ServerRequest };

export interface ServerOptions {
  maxHeaderBytes: number;
  /** Most header fields in one request head (431 past it). */
  maxFields?: number;
  /** From a request's first byte to its blank line (408 and close past it); also how long a new connection may send nothing. */
  headersTimeoutMs: number;
  /** A connection answering nothing for this long since its last response (or since it opened) is closed. */
  keepAliveMs: number;
  /** From a request's first byte until its body is read whole; past it, the connection is cut. 0 or absent: none. */
  requestTimeoutMs?: number;
  /**
   * Requests this connection does not serve: `serves(req)` false hands the connection to `to`, every
   * byte read from that request's first byte on put back (unshift) — known when the request began a
   * read on an idle connection (always so for the first); flowing from the next tick. Otherwise (pipelined behind a served request) the
   * answer is 421 Misdirected Request and close, which clients retry on a new connection (RFC 9110 §15.5.20).
   */
  handOff?: { serves(req: ServerRequest): boolean; to(socket: Duplex): void };
  /**
   * Let the parser read a net/TLS socket's native stream itself, as node:http's server does (default
   * true; false, or a socket without one: 'data' events). Tests run both ways.
   */
  nativeReads?: boolean;
}

export type OnRequest = (req: ServerRequest, res: ServerReply) => void;
/** The socket is the caller's from here (no listener of this module is left on it). */
export type OnUpgrade = (req: ServerRequest, socket: Duplex, head: Buffer) => void;

function byName(raw: readonly string[]): { headers: IncomingHttpHeaders; hosts: number } {
  const headers: Record<string, string> = {};
  let hosts = 0;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (name === 'host') hosts++;
    const had = headers[name];
    headers[name] = had === undefined ? raw[i + 1]! : `${had}${name === 'cookie' ? '; ' : ', '}${raw[i + 1]}`;
  }
  return { headers, hosts };
}

interface Pending {
  req: ServerRequest;
  ended: boolean;
  /** An Upgrade: the bytes read after its head, handed over with the socket. */
  upgrade: Buffer | null;
  continue: boolean;
  /** When its first byte was read (Date.now()): the request timeout runs from here. */
  started: number;
}

/** Serves HTTP/1.1 on `socket` until either side closes. */
export class ServerConnection implements ReplyConnection {
  readonly socket: Duplex;
  readonly #o: ServerOptions;
  readonly #onRequest: OnRequest;
  readonly #onUpgrade: OnUpgrade | undefined;
  readonly #parser: H1Parser;
  readonly #queue: Pending[] = [];
  #parsing: Pending | null = null;
  #current: { p: Pending; res: ServerReply; done: boolean } | null = null;
  #inHead = false;
  #headStart = 0;
  #headTimer: NodeJS.Timeout | null = null;
  #bodyTimer: NodeJS.Timeout | null = null;
  #held = false;
  #closing = false;
  /** The socket went to a new owner (an upgrade, a hand-off): nothing here may touch it again. */
  #detached = false;
  #refused = false;
  #executing = false;
  /** True until the first request's head has begun: that wait, too, is bounded by the headers timeout. */
  #firstWait = true;
  readonly #onData = (d: Buffer) => this.#read(d);
  #idleTimer: NodeJS.Timeout;
  /** When the last response was written (or the connection opened): the keep-alive limit runs from here. */
  #idleSince = Date.now();
  /**
   * With handOff: the bytes read since the connection was last idle (a message boundary), and the
   * first request they hold. Reading natively, the read in progress is not in it (the parser hands
   * it over as currentBuffer()) until that read is done.
   */
  #since: Buffer[] | null = null;
  #sinceFirst: Pending | null = null;
  /** The socket's native stream while the parser reads it (nativeReads), else null. */
  #stream: NativeStream | null = null;

  constructor(socket: Duplex, o: ServerOptions, onRequest: OnRequest, onUpgrade?: OnUpgrade) {
    this.socket = socket;
    this.#o = o;
    this.#onRequest = onRequest;
    this.#onUpgrade = onUpgrade;
    this.#parser = new H1Parser('request', o.maxHeaderBytes, {
      onBegin: () => {
        if (this.#stream !== null) this.#nativeBegin();
        this.#inHead = true;
        this.#firstWait = false;
        this.#headStart = Date.now();
      },
      onHead: (h) => {
        if (this.#stream !== null) this.#inParse();
        this.#head(h);
      },
      onBody: (b) => {
        if (this.#stream !== null) this.#inParse();
        const body = this.#parsing?.req.body;
        if (body && !body.push(b)) this.#hold(true);
      },
      onEnd: () => {
        if (this.#stream !== null) this.#inParse();
        const p = this.#parsing;
        this.#parsing = null;
        if (!p) return;
        p.ended = true;
        p.req.body?.push(null);
        if (this.#current?.p === p && this.#current.done) this.#next();
      },
    });
    // Listened to either way: a consumed socket still flows ('end' is emitted only then), with no 'data'.
    socket.on('data', this.#onData);
    if (o.nativeReads !== false) this.#stream = this.#parser.consume(socket, this.#onNativeRead);
    socket.on('end', this.#onEnd);
    socket.on('close', this.#onClose);
    socket.on('error', this.#onError);
    socket.on('drain', this.#onDrain);
    // Not socket.setTimeout: that re-arms a timer on every read and write; this one wakes once per keepAliveMs.
    this.#idleTimer = setTimeout(this.#onIdleCheck, o.keepAliveMs).unref();
    // The first request's head, too, is due within the headers timeout.
    this.#headStart = Date.now();
    this.#armHeadTimer();
  }

  readonly #onEnd = () => {
    // The client is done sending (and, not half-open, done reading): nothing more is answered.
    this.#closing = true;
    if (!this.#current) this.socket.destroy();
  };

  readonly #onClose = () => {
    if (this.#headTimer) clearTimeout(this.#headTimer);
    if (this.#bodyTimer) clearTimeout(this.#bodyTimer);
    clearTimeout(this.#idleTimer);
    const c = this.#current;
    this.#current = null;
    if (c && !c.res.writableFinished) c.res.emit('close');
    // The current request is the queue's first until it is answered.
    for (const p of this.#queue) {
      const body = p.ended ? null : p.req.body;
      // An error only for a reader that listens for one: unheard, it would throw out of the process.
      body?.destroy(body.listenerCount('error') > 0 ? new Error('the client closed the connection mid-body') : undefined);
    }
    this.#queue.length = 0;
    // Never inside a parser callback: a close event comes from the socket, not from execute().
    this.#parser.close();
  };

  readonly #onError = () => this.socket.destroy();
  readonly #onDrain = () => this.#current?.res.emit('drain');

  /** Closes a connection idle for keepAliveMs; while busy, looks again once per keepAliveMs. */
  readonly #onIdleCheck = () => {
    // Busy: the handler's own limits (the upstream's) apply; a head in progress has its own timer.
    // A request answered before its body was all read counts as idle: that body is dropped for this long at most.
    const busy = (this.#current !== null && !this.#current.done) || this.#inHead || this.#firstWait;
    if (busy) return void this.#idleTimer.refresh();
    const left = this.#idleSince + this.#o.keepAliveMs - Date.now();
    if (left <= 0) return void this.socket.destroy();
    // Idle for less than the limit: looked at again when it would be reached (one timer per idle spell).
    this.#idleTimer = setTimeout(this.#onIdleCheck, left).unref();
  };

  /** The headers timeout, checked when due; armed only while a head is incomplete after a read. */
  #armHeadTimer(): void {
    if (this.#headTimer) return;
    const left = this.#headStart + this.#o.headersTimeoutMs - Date.now();
    this.#headTimer = setTimeout(() => {
      this.#headTimer = null;
      if (!this.#inHead && !this.#firstWait) return;
      // A pipelined head waits while earlier requests are answered.
      if (this.#current || Date.now() - this.#headStart < this.#o.headersTimeoutMs) return this.#armHeadTimer();
      // Nothing sent at all (a preconnected socket never used): closed like any idle connection, no 408
      // that a client could read as the answer to the request it writes next (RFC 9112 §9.5).
      if (this.#firstWait) return void this.socket.destroy();
      this.#refuse(408);
    }, Math.max(1, left));
    this.#headTimer.unref();
  }

  /** Whether a request starting now starts at a message boundary with nothing in hand: a hand-off could take the connection from here. */
  #idle(): boolean {
    return this.#current === null && this.#queue.length === 0 && this.#parsing === null && !this.#inHead;
  }

  #read(d: Buffer): void {
    if (this.#since !== null) this.#since.push(d);
    else if (this.#o.handOff && this.#idle()) this.#since = [d];
    this.#executing = true;
    const r = this.#parser.execute(d);
    this.#executing = false;
    this.#afterRead(r, d);
  }

  /** Reading natively: a read was parsed (the parser's callbacks have run); `r` as execute() returns it. */
  readonly #onNativeRead = (r: number | ParseError): void => {
    this.#executing = false;
    this.#afterRead(r, null);
    // A hand-off may still take this connection from the message that began on an idle read: keep this read's bytes.
    if (this.#since !== null && this.#stream !== null) this.#since.push(this.#parser.currentBuffer());
  };

  /**
   * Reading natively, a message's first byte: when it is the read's first callback (`#executing` not
   * yet set) on an idle connection, the read began with this message, and a hand-off may need its bytes.
   */
  #nativeBegin(): void {
    if (this.#since === null && this.#o.handOff && !this.#executing && this.#idle()) this.#since = [];
    this.#inParse();
  }

  /** Reading natively, inside the parser (until the read is reported): nothing may hand the socket over. */
  #inParse(): void {
    this.#executing = true;
  }

  /** After a read was parsed; `d` is that read's bytes when read from a 'data' event (natively: the parser's current buffer). */
  #afterRead(r: number | ParseError, d: Buffer | null): void {
    if (typeof r !== 'number') return this.#refuse(r.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400);
    // An Upgrade head: what follows it is the new protocol's, handed over with the socket.
    const last = this.#queue.at(-1);
    if (last?.upgrade && last.upgrade.length === 0) {
      const bytes = d ?? this.#parser.currentBuffer();
      if (r < bytes.length) last.upgrade = bytes.subarray(r);
    }
    if (this.#inHead) this.#armHeadTimer();
    if (this.#parsing !== null && this.#o.requestTimeoutMs) this.#armBodyTimer(this.#parsing);
    if (!this.#current) this.#next();
  }

  /** Stops reading the socket for good (a refusal, the last response). */
  #stopReading(): void {
    this.socket.off('data', this.#onData);
    if (this.#stream !== null) setReading(this.#stream, false);
  }

  /** The request timeout for the body being read: past it the connection is cut, as the request is being answered by then. */
  #armBodyTimer(p: Pending): void {
    if (this.#bodyTimer) return;
    const limit = this.#o.requestTimeoutMs!;
    this.#bodyTimer = setTimeout(() => {
      this.#bodyTimer = null;
      const now = this.#parsing;
      if (now === null) return;
      if (now !== p || Date.now() - p.started < limit) return this.#armBodyTimer(now);
      // Its handler already runs (it relays the body): a 408 could not be framed among its writes.
      this.socket.destroy();
    }, Math.max(1, p.started + limit - Date.now()));
    this.#bodyTimer.unref();
  }

  #head(h: Head): void {
    this.#inHead = false;
    this.#firstWait = false;
    if (this.#refused) return;
    if (h.rawHeaders.length / 2 > (this.#o.maxFields ?? 200)) return this.#refuse(431);
    const { headers, hosts } = byName(h.rawHeaders);
    // RFC 9112 §3.2: no Host in an HTTP/1.1 request, or more than one in any, is a 400.
    if (hosts > 1 || (hosts === 0 && h.versionMinor >= 1)) return this.#refuse(400);
    const expect = headers.expect;
    if (expect !== undefined && expect.toLowerCase() !== '100-continue') return this.#refuse(417);
    if (h.upgrade && (h.method === 'CONNECT' || !this.#onUpgrade)) return this.#refuse(400);
    const body = !h.upgrade && requestBody(headers).hasBody ? new Readable({ read: () => this.#hold(false) }) : null;
    const p: Pending = {
      req: new ServerRequest(h, headers, body, this.socket), ended: false, upgrade: h.upgrade ? Buffer.alloc(0) : null,
      continue: expect !== undefined && h.versionMinor >= 1, started: this.#headStart,
    };
    this.#parsing = p;
    if (this.#since !== null && this.#sinceFirst === null) this.#sinceFirst = p;
    this.#queue.push(p);
    // Pipelined: nothing more is read until the requests in hand are answered.
    if (this.#queue.length > 1 || h.upgrade) this.#hold(true);
  }

  /** Answers `status` with `connection: close` and closes; nothing after it is read. Mid-response: the connection is cut. */
  #refuse(status: number): void {
    if (this.#refused) return;
    this.#refused = true;
    this.#stopReading();
    if (this.#headTimer) clearTimeout(this.#headTimer);
    if (this.#current || !this.socket.writable) return void this.socket.destroy();
    this.#queue.length = 0;
    this.socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Bad Request'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`, 'latin1', () => this.socket.destroy());
  }

  /** Stops reading (true), or lets reading go on (false) once no reason to hold is left. */
  #hold(on: boolean): void {
    if (on) {
      if (!this.#held) this.#reading(false);
      this.#held = true;
      return;
    }
    if (!this.#held || this.#queue.length > 1 || this.#queue[0]?.upgrade || this.#refused) return;
    this.#held = false;
    this.#reading(true);
  }

  #reading(on: boolean): void {
    if (this.#stream !== null) setReading(this.#stream, on);
    else if (on) this.socket.resume();
    else this.socket.pause();
  }

  /** The current response was written: close, or go on to the next request once this one's body is read. */
  finished(close: boolean): void {
    const c = this.#current;
    if (!c || this.socket.destroyed) return;
    c.done = true;
    this.#idleSince = Date.now();
    if (close || this.#closing) {
      this.#current = null;
      this.#queue.length = 0;
      this.#stopReading();
      this.socket.end(() => this.socket.destroy());
      return;
    }
    if (c.p.ended) return this.#next();
    // Answered before its body was all read (a block page for an upload): the rest is read and dropped.
    c.p.req.body?.resume();
    this.#hold(false);
  }

  #next(): void {
    const prev = this.#current;
    if (prev) {
      if (!prev.done || !prev.p.ended) return;
      this.#queue.shift();
      this.#current = null;
    }
    const p = this.#queue[0];
    if (!p) return this.#hold(false);
    if (this.#o.handOff && !this.#o.handOff.serves(p.req)) return this.#passOn(p);
    if (p === this.#sinceFirst) {
      this.#since = null;
      this.#sinceFirst = null;
    }
    if (p.upgrade) {
      // Handed over once its head has been read whole (the read that brought it has returned).
      if (!p.ended || this.#executing) return;
      return this.#handOver(p);
    }
    const res = new ServerReply(this, p.req);
    this.#current = { p, res, done: false };
    if (p.continue && !p.ended) this.socket.write('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');
    if (this.#queue.length === 1) this.#hold(false);
    try {
      this.#onRequest(p.req, res);
    } catch {
      // A handler that throws loses its connection, not the process.
      this.socket.destroy();
    }
  }

  /** Set by close(): the response in progress says `connection: close` and is the last. */
  get closing(): boolean {
    return this.#closing;
  }

  /** Graceful close: a response in progress is this connection's last; an idle connection closes now. Nothing once handed over. */
  close(): void {
    if (this.#detached) return;
    this.#closing = true;
    if (!this.#current) this.socket.destroy();
  }

  /** Leaves the socket to a new owner: no listener, timer or parser of this module is left on it. */
  #detach(): Duplex {
    const s = this.socket;
    this.#detached = true;
    // The new owner reads 'data' events (node:http consumes the stream again itself).
    if (this.#stream !== null) {
      setReading(this.#stream, true);
      this.#stream = null;
      this.#parser.unconsume();
    }
    this.#queue.length = 0;
    if (this.#headTimer) clearTimeout(this.#headTimer);
    if (this.#bodyTimer) clearTimeout(this.#bodyTimer);
    clearTimeout(this.#idleTimer);
    s.off('data', this.#onData).off('end', this.#onEnd).off('close', this.#onClose).off('error', this.#onError).off('drain', this.#onDrain);
    // Not from inside execute(): the parser is freed once nothing runs in it.
    setImmediate(() => this.#parser.close());
    // As node:http hands an upgraded socket over: flowing as soon as the new owner listens (next tick).
    this.#held = false;
    s.resume();
    return s;
  }

  #handOver(p: Pending): void {
    this.#onUpgrade!(p.req, this.#detach(), p.upgrade!);
  }

  /** A request served elsewhere: the connection goes over from that request's first byte, or, that unknown, 421 and close. */
  #passOn(p: Pending): void {
    if (p !== this.#sinceFirst || this.#since === null) return this.#refuse(421);
    // After the read that brought it has returned: the parser has taken all it will of those bytes.
    if (this.#executing) return;
    // Reading natively, the read that completed this head is not in #since yet.
    if (this.#stream !== null) this.#since.push(this.#parser.currentBuffer());
    const bytes = this.#since.length === 1 ? this.#since[0]! : Buffer.concat(this.#since);
    this.#since = null;
    this.#sinceFirst = null;
    p.req.body?.destroy();
    const s = this.#detach();
    s.unshift(bytes);
    this.#o.handOff!.to(s);
  }
}

/** Serves HTTP/1.1 on an accepted socket (see ServerConnection). */
export function serveHttp1(socket: Duplex, o: ServerOptions, onRequest: OnRequest, onUpgrade?: OnUpgrade): ServerConnection {
  return new ServerConnection(socket, o, onRequest, onUpgrade);
}
