// One connection slot of the connector to one edge address: dials out, hands every stream the
// edge opens to the origin proxy, and when the connection ends (or never came up) dials again
// after an exponential backoff with full jitter (so a fleet does not reconnect in lockstep).
// Must not: accept anything the edge did not open over this connection.
import { WebSocket } from 'ws';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { MAX_MESSAGE } from '../mux/frames.ts';
import { MuxSession } from '../mux/session.ts';
import type { TunnelStream } from '../mux/stream.ts';
import { dialEdge, type EdgeTarget } from './edge-dial.ts';

export interface LinkOptions {
  target: EdgeTarget;
  token: string;
  connectorId: string;
  version: string;
  hostname: string;
  wanted: number;
  onStream: (s: TunnelStream, tunnel: string) => void;
  /** `retryInMs`: when the next dial is due (down and refused only), so the backoff shows in the log. */
  onEvent: (e: { kind: 'up' | 'down' | 'refused'; detail: string; retryInMs?: number }) => void;
  backoff?: { baseMs: number; maxMs: number };
}

export class EdgeLink {
  readonly #o: LinkOptions;
  #session: MuxSession | null = null;
  #ws: WebSocket | null = null;
  #attempt = 0;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(o: LinkOptions) {
    this.#o = o;
  }

  get connected(): boolean {
    return this.#session !== null && !this.#session.closed;
  }

  start(): void {
    this.#dial();
  }

  #dial(): void {
    if (this.#stopped) return;
    const o = this.#o;
    const url = new URL('/tunnel/v1/connect', o.target.url);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    let socket: Socket | null = null;
    const ws = new WebSocket(url, {
      createConnection: () => (socket = dialEdge(o.target)),
      headers: {
        authorization: `Bearer ${o.token}`, 'moatless-connector-id': o.connectorId,
        'moatless-connector-version': o.version, 'moatless-connector-hostname': o.hostname,
        'moatless-connector-connections': String(o.wanted),
      },
      maxPayload: MAX_MESSAGE, perMessageDeflate: false, handshakeTimeout: 10_000,
    });
    this.#ws = ws;
    let tunnel = '';
    let settled = false;
    const retry = (detail: string, kind: 'down' | 'refused') => {
      if (settled) return;
      settled = true;
      this.#session = null;
      const retryInMs = this.#schedule();
      o.onEvent({ kind, detail, ...(retryInMs === null ? {} : { retryInMs }) });
    };
    ws.on('upgrade', (res: IncomingMessage) => { tunnel = String(res.headers['moatless-tunnel'] ?? ''); });
    ws.on('unexpected-response', (_req, res: IncomingMessage) => {
      res.resume();
      const why = res.statusCode === 401 ? 'the edge refused the token (bad or revoked)' : `the edge answered ${res.statusCode}`;
      ws.terminate();
      retry(why, 'refused');
    });
    ws.on('error', (err: Error) => retry(err.message, 'down'));
    ws.on('open', () => {
      this.#attempt = 0;
      const session = new MuxSession(ws, {
        role: 'connector', remoteAddress: o.target.url.host, onStream: (s) => o.onStream(s, tunnel), ...(socket ? { socket } : {}),
      });
      this.#session = session;
      o.onEvent({ kind: 'up', detail: tunnel });
      session.onClose((why) => retry(why, 'down'));
    });
  }

  /** Schedules the next dial; returns its delay (null when stopped). */
  #schedule(): number | null {
    if (this.#stopped) return null;
    const { baseMs, maxMs } = this.#o.backoff ?? { baseMs: 500, maxMs: 30_000 };
    const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(this.#attempt, 16));
    this.#attempt++;
    const delay = Math.max(50, Math.random() * ceiling);
    this.#timer = setTimeout(() => this.#dial(), delay);
    return Math.round(delay);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#session?.close(1001, 'connector shutting down');
    this.#ws?.terminate();
  }
}
