// One HTTP/1.1 exchange on the server side (server-connection.ts runs the connection): the request
// as plain values named as node:http names them, and the response, framed here — head and a whole
// body in one write, Content-Length kept and enforced, else chunked (or close-delimited for
// HTTP/1.0), no body after HEAD, 204 or 304 (RFC 9110 §6.4.1), no field that could split the head.
// Transport library (src/http1/): must not decide policy, dial, log, or import from a capability.
import { EventEmitter } from 'node:events';
import { STATUS_CODES, type IncomingHttpHeaders } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import type { Head } from './llhttp.ts';

/** What a reply needs of its connection. */
export interface ReplyConnection {
  readonly socket: Duplex;
  /** The connection ends after the response in progress (a graceful shutdown). */
  readonly closing: boolean;
  /** The response was written; `close`: the connection ends after it. */
  finished(close: boolean): void;
}

/** One request: the fields as node:http names them, so handlers read either the same way. */
export class ServerRequest {
  readonly method: string;
  readonly url: string;
  readonly httpVersionMinor: number;
  /** Flat [name, value, …] as received. */
  readonly rawHeaders: string[];
  /** Lower-case names; repeated fields joined with ", " (Cookie with "; "). */
  readonly headers: IncomingHttpHeaders;
  readonly keepAlive: boolean;
  /** The body, read with back-pressure on the connection; null when the request has none. */
  readonly body: Readable | null;
  /** The connection it came on (its peer address, whether it is TLS): read it, do not write to it. */
  readonly socket: Duplex;

  constructor(h: Head, headers: IncomingHttpHeaders, body: Readable | null, socket: Duplex) {
    this.method = h.method;
    this.url = h.target;
    this.httpVersionMinor = h.versionMinor;
    this.rawHeaders = h.rawHeaders;
    this.headers = headers;
    this.keepAlive = h.keepAlive;
    this.body = body;
    this.socket = socket;
  }
}

let dateSecond = 0;
let dateText = '';
/** The Date field (RFC 9110 §6.6.1), formatted once a second. */
function httpDate(): string {
  const now = Date.now();
  const s = Math.floor(now / 1000);
  if (s !== dateSecond) {
    dateSecond = s;
    dateText = new Date(now).toUTCString();
  }
  return dateText;
}

/** RFC 9110 §5.1 (a field name is a token) and §5.5 (no CR, LF, NUL or other controls but HTAB in a value), as node:http checks. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
type Fields = Readonly<Record<string, string | number | readonly string[] | undefined>> | readonly string[];

/** One response. Framing (Content-Length, Transfer-Encoding, Connection) is this module's: those fields are not taken from the handler, except a Content-Length, which is kept and enforced. */
export class ServerReply extends EventEmitter {
  statusCode = 200;
  headersSent = false;
  writableFinished = false;
  readonly #conn: ReplyConnection;
  readonly #req: ServerRequest;
  #fields = '';
  #length = -1;
  #hasDate = false;
  #close = false;
  #chunked = false;
  #noBody = false;
  #sent = 0;

  constructor(conn: ReplyConnection, req: ServerRequest) {
    super();
    this.#conn = conn;
    this.#req = req;
  }

  get destroyed(): boolean {
    return this.#conn.socket.destroyed;
  }

  /** Status and fields (a keyed object, or flat [name, value, …]); sent with the first write. */
  writeHead(status: number, fields?: Fields): this {
    if (this.headersSent) throw new Error('the response head was sent already');
    this.statusCode = status;
    let out = '';
    const add = (name: string, value: string) => {
      if (!TOKEN.test(name) || BAD_VALUE.test(value)) throw new Error(`invalid character in the response field ${JSON.stringify(name)}`);
      const lower = name.toLowerCase();
      if (lower === 'connection') {
        if (/(^|,)\s*close\s*(,|$)/i.test(value)) this.#close = true;
        return;
      }
      if (lower === 'transfer-encoding' || lower === 'keep-alive') return;
      if (lower === 'content-length') {
        if (!/^\d{1,15}$/.test(value)) throw new Error(`invalid Content-Length ${JSON.stringify(value)}`);
        this.#length = Number(value);
      } else if (lower === 'date') this.#hasDate = true;
      out += `${name}: ${value}\r\n`;
    };
    if (Array.isArray(fields)) {
      for (let i = 0; i + 1 < fields.length; i += 2) add(fields[i]!, fields[i + 1]!);
    } else if (fields) {
      for (const [k, v] of Object.entries(fields as Record<string, string | number | readonly string[] | undefined>)) {
        if (v === undefined) continue;
        if (typeof v === 'object') for (const one of v) add(k, one);
        else add(k, String(v));
      }
    }
    this.#fields = out;
    return this;
  }

  /** The head with its framing; `whole` is the entire body's length when end() brings it all at once. */
  #head(whole: number): string {
    this.headersSent = true;
    const s = this.statusCode;
    this.#noBody = this.#req.method === 'HEAD' || s === 204 || s === 304 || s < 200;
    let framing = '';
    if (this.#length < 0 && !(s === 204 || s === 304 || s < 200)) {
      if (whole >= 0) {
        this.#length = whole;
        if (!this.#noBody) framing = `content-length: ${whole}\r\n`;
      } else if (this.#req.httpVersionMinor >= 1) {
        this.#chunked = !this.#noBody;
        if (this.#chunked) framing = 'transfer-encoding: chunked\r\n';
      } else this.#close = true;
    }
    if (!this.#req.keepAlive || this.#conn.closing) this.#close = true;
    if (this.#close) framing += 'connection: close\r\n';
    else if (this.#req.httpVersionMinor === 0) framing += 'connection: keep-alive\r\n';
    const date = this.#hasDate ? '' : `date: ${httpDate()}\r\n`;
    return `HTTP/1.1 ${s} ${STATUS_CODES[s] ?? 'Unknown'}\r\n${this.#fields}${date}${framing}\r\n`;
  }

  write(chunk: Buffer | string): boolean {
    const socket = this.#conn.socket;
    if (this.writableFinished || socket.destroyed) return false;
    if (!this.headersSent) socket.write(this.#head(-1), 'latin1');
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (this.#noBody || b.length === 0) return true;
    this.#sent += b.length;
    // More than the declared length would be read as the start of another response: cut instead.
    if (this.#length >= 0 && this.#sent > this.#length) {
      socket.destroy();
      return false;
    }
    if (!this.#chunked) return socket.write(b);
    socket.cork();
    socket.write(`${b.length.toString(16)}\r\n`, 'latin1');
    socket.write(b);
    const ok = socket.write('\r\n', 'latin1');
    socket.uncork();
    return ok;
  }

  end(chunk?: Buffer | string): this {
    if (this.writableFinished) return this;
    const socket = this.#conn.socket;
    if (!this.headersSent && !socket.destroyed) {
      // Head and body in one write: one TLS record, one send.
      const b = chunk === undefined ? null : typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const head = this.#head(b ? b.length : 0);
      const body = this.#noBody || !b ? 0 : b.length;
      this.#sent = body;
      const out = Buffer.allocUnsafe(head.length + body);
      out.write(head, 0, 'latin1');
      if (body > 0) b!.copy(out, head.length);
      socket.write(out);
    } else {
      if (chunk !== undefined) this.write(chunk);
      if (this.#chunked && !socket.destroyed) socket.write('0\r\n\r\n', 'latin1');
    }
    this.writableFinished = true;
    // Fewer bytes than declared: the client would wait for the rest, or read what follows as it.
    if (!this.#noBody && this.#length >= 0 && this.#sent < this.#length) socket.destroy();
    this.#conn.finished(this.#close);
    return this;
  }

  destroy(_err?: Error): void {
    this.#conn.socket.destroy();
  }
}
