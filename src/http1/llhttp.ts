// A typed adapter over Node's own llhttp binding — `HTTPParser` from `node:_http_common`, the parser
// node:http's server and client run — so Moatless's proxies (Access, the Gateway) can frame HTTP/1.1 messages without
// IncomingMessage/ServerResponse or undici's per-request objects. Strict (no lenient flag: obs-fold,
// Content-Length with Transfer-Encoding, duplicate Content-Length, bad chunk sizes, bare CR or LF
// are errors), exactly as node:http's server with `insecureHTTPParser: false`. The binding is
// undocumented: `available` says whether this Node has the shape relied on here (checked once, at
// load), and callers refuse to start or fall back when it does not (docs/dependencies.md).
// Transport library (src/http1/, shared by Access and the Gateway): must not decide policy, dial,
// log, or import anything from a capability (src/access, src/gateway).
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import { nativeStreamOf, type NativeStream } from './native-stream.ts';

interface NativeParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(b: Buffer): number | Error;
  finish(): number | Error | undefined;
  close(): void;
  pause(): void;
  resume(): void;
  consume?(stream: object): void;
  unconsume?(): void;
  getCurrentBuffer?(): Buffer;
  [k: number]: unknown;
}

interface NativeParserClass {
  new (): NativeParser;
  REQUEST: number;
  RESPONSE: number;
  kOnMessageBegin: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
  kOnExecute: number;
  kLenientNone: number;
}

function load(): { Parser: NativeParserClass; methods: readonly string[] } | null {
  try {
    const m = createRequire(import.meta.url)('_http_common') as { HTTPParser?: NativeParserClass; methods?: string[] };
    const P = m.HTTPParser;
    const ok = typeof P === 'function' && Array.isArray(m.methods) && P.REQUEST === 1 && P.RESPONSE === 2
      && [P.kOnMessageBegin, P.kOnHeaders, P.kOnHeadersComplete, P.kOnBody, P.kOnMessageComplete].every((k) => Number.isInteger(k))
      && ['initialize', 'execute', 'finish', 'close'].every((f) => typeof (P.prototype as Record<string, unknown>)[f] === 'function');
    return ok ? { Parser: P, methods: m.methods! } : null;
  } catch {
    return null;
  }
}

const native = load();

/** Whether this Node has the llhttp binding in the shape this adapter relies on. */
export const available = native !== null;

/** Whether the binding can also read a native stream itself (node:http's server relies on it; checked, not assumed). */
const canConsume = native !== null && ['consume', 'unconsume', 'getCurrentBuffer'].every((f) => typeof (native.Parser.prototype as unknown as Record<string, unknown>)[f] === 'function');

/** One message's head: request line (method, target) or status line (status, reason), and the fields in order. */
export interface Head {
  versionMinor: number;
  method: string;
  target: string;
  status: number;
  reason: string;
  /** Flat [name, value, …] as received (names keep their case). */
  rawHeaders: string[];
  /** Upgrade or CONNECT: the bytes after this head are not HTTP any more. */
  upgrade: boolean;
  /** Whether the connection may carry another message after this one (RFC 9112 §9.3). */
  keepAlive: boolean;
}

export interface Events {
  /** A message's first byte was read (a server times the head from here). */
  onBegin?(): void;
  /** Return true to read no body (the response to a HEAD request, RFC 9110 §9.3.2). */
  onHead(head: Head): boolean | void;
  onBody(chunk: Buffer): void;
  /** Trailer fields of a chunked message are handed over here (flat), before onEnd. */
  onEnd(trailers: string[]): void;
}

export class ParseError extends Error {
  /** llhttp's code, e.g. HPE_INVALID_TRANSFER_ENCODING, HPE_HEADER_OVERFLOW. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ParseError';
    this.code = code;
  }
}

const asError = (r: Error): ParseError => {
  const e = r as Error & { code?: string; reason?: string };
  return new ParseError(e.code ?? 'HPE_UNKNOWN', e.reason ?? e.message);
};

export class H1Parser {
  readonly #p: NativeParser;
  #fields: string[] = [];
  #url = '';
  #headDone = false;
  #closed = false;
  /** While the parser reads a native stream itself: called after each read with what execute() would return. */
  #onRead: ((r: number | ParseError) => void) | null = null;
  #stream: NativeStream | null = null;

  constructor(kind: 'request' | 'response', maxHeaderBytes: number, ev: Events) {
    if (!native) throw new Error('the llhttp binding (node:_http_common) is not available in this Node');
    const { Parser, methods } = native;
    const p = new Parser();
    this.#p = p;
    // More than 32 fields, or a long target: llhttp hands the head over in pieces first.
    p[Parser.kOnHeaders] = (fields: string[], url: string) => {
      for (const f of fields) this.#fields.push(f);
      this.#url += url;
    };
    p[Parser.kOnHeadersComplete] = (_maj: number, minor: number, fields: string[] | undefined, method: number | undefined, url: string | undefined,
      status: number | undefined, reason: string | undefined, upgrade: boolean, keepAlive: boolean): number => {
      const rawHeaders = fields ?? this.#fields;
      const target = url ?? this.#url;
      this.#fields = [];
      this.#url = '';
      this.#headDone = true;
      const skipBody = ev.onHead({
        versionMinor: minor, method: typeof method === 'number' ? (methods[method] ?? '') : '', target,
        status: status ?? 0, reason: reason ?? '', rawHeaders, upgrade, keepAlive,
      });
      return skipBody ? 1 : 0;
    };
    p[Parser.kOnBody] = (b: Buffer) => ev.onBody(b);
    p[Parser.kOnMessageComplete] = () => {
      const trailers = this.#headDone ? this.#fields : [];
      this.#fields = [];
      this.#url = '';
      this.#headDone = false;
      ev.onEnd(trailers);
    };
    // Called by the native side after each read of a consumed stream (never for execute()).
    p[Parser.kOnExecute] = (r: number | Error) => this.#onRead?.(r instanceof Error ? asError(r) : r);
    // Set only when wanted: the native side calls into JS per message only if a function is there.
    if (ev.onBegin) p[Parser.kOnMessageBegin] = ev.onBegin;
    p.initialize(kind === 'request' ? Parser.REQUEST : Parser.RESPONSE, {}, maxHeaderBytes, Parser.kLenientNone);
  }

  /**
   * Reads `socket`'s native stream from now on, as node:http's server does: each read is parsed where
   * it lands and `onRead` hears the outcome (bytes parsed, or the error) once the read is parsed.
   * The socket's own end, close and error events come as before; no 'data' event does. Returns the
   * stream consumed (the caller stops and starts its reads), or null when the socket cannot be
   * consumed — the caller then feeds execute() from 'data' events.
   */
  consume(socket: Duplex, onRead: (r: number | ParseError) => void): NativeStream | null {
    if (!canConsume || this.#closed || this.#stream !== null) return null;
    const h = nativeStreamOf(socket);
    if (h === null) return null;
    h._consumed = true;
    this.#onRead = onRead;
    this.#stream = h;
    this.#p.consume!(h);
    return h;
  }

  /** Gives the stream back to the socket (its 'data' events); a no-op when nothing is consumed. */
  unconsume(): void {
    const h = this.#stream;
    if (h === null) return;
    this.#stream = null;
    this.#onRead = null;
    this.#p.unconsume!();
    h._consumed = false;
  }

  /** The bytes of the read being reported to `onRead` (a copy); only valid inside that call. */
  currentBuffer(): Buffer {
    return this.#p.getCurrentBuffer!();
  }

  /** Parses what arrived; returns the bytes consumed (fewer than given after an upgrade head) or the error. */
  execute(b: Buffer): number | ParseError {
    const r = this.#p.execute(b);
    return r instanceof Error ? asError(r) : r;
  }

  /** The peer closed: ends a close-delimited body (onEnd), or says the message was cut short. */
  finish(): ParseError | null {
    const r = this.#p.finish();
    return r instanceof Error ? asError(r) : null;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.unconsume();
    this.#p.close();
  }
}
