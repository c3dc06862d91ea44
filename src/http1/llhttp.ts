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

interface NativeParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(b: Buffer): number | Error;
  finish(): number | Error | undefined;
  close(): void;
  pause(): void;
  resume(): void;
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
    p[Parser.kOnExecute] = () => {};
    // Set only when wanted: the native side calls into JS per message only if a function is there.
    if (ev.onBegin) p[Parser.kOnMessageBegin] = ev.onBegin;
    p.initialize(kind === 'request' ? Parser.REQUEST : Parser.RESPONSE, {}, maxHeaderBytes, Parser.kLenientNone);
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
    this.#p.close();
  }
}
