// A minimal Chrome DevTools Protocol client over `--remote-debugging-pipe` (fds 3 and 4, messages
// separated by NUL). Owns: request ids, replies, events by method and flat session id. Must not: know
// what the commands mean, or ever be reachable by a viewer (only isolation code sends commands).
import type { Readable, Writable } from 'node:stream';

export type CdpParams = Record<string, unknown>;
export type CdpEventHandler = (params: CdpParams, sessionId: string | undefined) => void;

export class CdpError extends Error {
  readonly method: string;
  constructor(method: string, message: string) {
    super(`${method}: ${message}`);
    this.name = 'CdpError';
    this.method = method;
  }
}

/** One message from Chromium is capped: a bigger one means a broken or hostile peer. */
const MAX_MESSAGE_CHARS = 64 * 1024 * 1024;

export class CdpConnection {
  readonly #out: Writable;
  #nextId = 1;
  readonly #pending = new Map<number, { method: string; resolve: (r: CdpParams) => void; reject: (e: Error) => void }>();
  readonly #handlers = new Map<string, Set<CdpEventHandler>>();
  #buffer = '';
  #closed: Error | null = null;
  readonly #closeHandlers = new Set<(err: Error) => void>();

  constructor(input: Readable, output: Writable) {
    this.#out = output;
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => this.#onData(chunk));
    input.on('close', () => this.#fail(new Error('the browser closed its DevTools pipe')));
    input.on('error', (err) => this.#fail(err));
    output.on('error', (err) => this.#fail(err));
  }

  get closed(): boolean {
    return this.#closed !== null;
  }

  send(method: string, params: CdpParams = {}, sessionId?: string): Promise<CdpParams> {
    if (this.#closed) return Promise.reject(this.#closed);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { method, resolve, reject });
      this.#out.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
    });
  }

  /** Fire and forget: failures (a tab that just closed) are not interesting to the caller. */
  post(method: string, params: CdpParams = {}, sessionId?: string): void {
    this.send(method, params, sessionId).catch(() => {});
  }

  on(method: string, handler: CdpEventHandler): () => void {
    let set = this.#handlers.get(method);
    if (!set) this.#handlers.set(method, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  onClose(handler: (err: Error) => void): void {
    this.#closeHandlers.add(handler);
  }

  #onData(chunk: string): void {
    this.#buffer += chunk;
    if (this.#buffer.length > MAX_MESSAGE_CHARS) return this.#fail(new Error('DevTools message too large'));
    let end: number;
    while ((end = this.#buffer.indexOf('\0')) !== -1) {
      const text = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 1);
      this.#dispatch(text);
    }
  }

  #dispatch(text: string): void {
    let msg: { id?: number; method?: string; params?: CdpParams; result?: CdpParams; error?: { message?: string }; sessionId?: string };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    if (typeof msg.id === 'number') {
      const p = this.#pending.get(msg.id);
      if (!p) return;
      this.#pending.delete(msg.id);
      if (msg.error) p.reject(new CdpError(p.method, msg.error.message ?? 'failed'));
      else p.resolve(msg.result ?? {});
      return;
    }
    if (typeof msg.method !== 'string') return;
    for (const h of this.#handlers.get(msg.method) ?? []) h(msg.params ?? {}, msg.sessionId);
  }

  #fail(err: Error): void {
    if (this.#closed) return;
    this.#closed = err;
    for (const p of this.#pending.values()) p.reject(new CdpError(p.method, err.message));
    this.#pending.clear();
    for (const h of this.#closeHandlers) h(err);
  }
}
