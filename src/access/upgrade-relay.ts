// The origin side of an admitted upgrade. The handshake goes out through node's HTTP client, so the
// origin's answer is parsed rather than guessed: only a `101` joins the two sockets. Any other
// answer is relayed whole with `connection: close` and the client connection ends, because bytes
// the client writes after a refused upgrade would otherwise reach the origin as raw requests, past
// the session check, the policy and the header stripping (Hardening issue, item 1).
// Must not: read or write client bytes before the origin has said 101.
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { UpstreamDialer } from './dialer.ts';
import { HOP_BY_HOP, type UpstreamTimeouts } from './upstream.ts';

export interface UpgradeTarget {
  origin: string;
  /** Request target on the origin (base path included). */
  path: string;
  method: string;
  /** Cleaned request headers as a flat [name, value, …] list, the upgrade fields included. */
  headers: string[];
  timeouts: UpstreamTimeouts;
  requestId: string;
  /** Opens the origin connection (TCP, TLS or a tunnel stream): the same dial path as the proxy. */
  dialer: UpstreamDialer;
}

/** A response head for the raw client socket, from a flat [name, value, …] list. */
export function responseHead(status: number, text: string, headers: readonly string[]): string {
  let s = `HTTP/1.1 ${status} ${text}\r\n`;
  for (let i = 0; i < headers.length; i += 2) s += `${headers[i]}: ${headers[i + 1]}\r\n`;
  return s + '\r\n';
}

export function refuse(socket: Duplex, status: number, text: string, requestId: string): void {
  const headers = ['connection', 'close', 'content-length', '0', 'moatless-request-id', requestId];
  socket.end(responseHead(status, text, headers));
  drain(socket);
}

/**
 * After our last byte: read and drop whatever the client still sends, so its FIN is seen and the
 * socket closes (an upgrade socket is never read otherwise, and would stay half-open). Destroying
 * at once instead could reset the connection before the client has read our answer.
 */
function drain(socket: Duplex): void {
  const t = setTimeout(() => socket.destroy(), DRAIN_MS);
  t.unref();
  socket.once('close', () => clearTimeout(t));
  socket.resume();
}

const DRAIN_MS = 5000;

/**
 * Sends the handshake and relays the answer. Resolves with the status the client was given: 101,
 * the origin's refusal, or 502/504 when the origin could not be reached in time. Never rejects.
 */
export function relayUpgrade(client: Duplex, clientHead: Buffer, t: UpgradeTarget): Promise<number> {
  return new Promise((resolve) => {
    const req: ClientRequest = httpRequest({
      method: t.method, path: t.path, headers: t.headers,
      // No agent, so a connection of its own (node then sends no keep-alive): after a 101 it is no
      // longer HTTP, after a refusal it is closed. The dialer does TCP and TLS (or opens a tunnel
      // stream) and bounds the connect time itself.
      setHost: false, timeout: t.timeouts.headersMs,
      createConnection: (_o, oncreate) => {
        t.dialer.connect({ origin: t.origin, timeoutMs: t.timeouts.connectMs })
          .then((s) => oncreate(null, s as Socket), (e: Error) => oncreate(e, null as unknown as Socket));
        return undefined;
      },
    });
    let answered = false;
    const fail = (status: 502 | 504) => {
      req.destroy();
      if (answered) return void client.destroy();
      answered = true;
      refuse(client, status, status === 504 ? 'Gateway Timeout' : 'Bad Gateway', t.requestId);
      resolve(status);
    };
    req.on('timeout', () => fail(504));
    req.on('error', (err: Error & { code?: string }) => fail(err.code?.includes('TIMEOUT') ? 504 : 502));
    client.once('close', () => req.destroy());

    req.once('upgrade', (res: IncomingMessage, upstream: Socket, upstreamHead: Buffer) => {
      answered = true;
      upstream.setTimeout(0);
      const headers = [...res.rawHeaders, 'moatless-request-id', t.requestId];
      client.write(responseHead(101, res.statusMessage ?? 'Switching Protocols', headers));
      // Bytes the origin sent in the same packet as its 101 belong to the new protocol.
      if (upstreamHead.length > 0) client.write(upstreamHead);
      if (clientHead.length > 0) upstream.write(clientHead);
      const closeBoth = () => {
        upstream.destroy();
        client.destroy();
      };
      upstream.on('error', closeBoth);
      upstream.on('close', closeBoth);
      client.on('error', closeBoth);
      client.on('close', closeBoth);
      upstream.pipe(client);
      client.pipe(upstream);
      resolve(101);
    });

    req.once('response', (res: IncomingMessage) => {
      answered = true;
      const status = res.statusCode ?? 502;
      client.write(responseHead(status, res.statusMessage ?? '', refusalHeaders(res, t.requestId)));
      // Node has de-chunked the body; without a length it is delimited by the close that follows.
      res.socket.setTimeout(t.timeouts.bodyMs, () => client.destroy());
      res.on('error', () => client.destroy());
      res.on('end', () => {
        req.destroy();
        client.end();
        drain(client);
      });
      res.pipe(client, { end: false });
      resolve(status);
    });

    req.end();
  });
}

/** The origin's response headers minus hop-by-hop fields, ending the client connection. */
function refusalHeaders(res: IncomingMessage, requestId: string): string[] {
  const raw = res.rawHeaders;
  const conn = res.headers.connection;
  const named = conn === undefined ? [] : conn.toLowerCase().split(',').map((s) => s.trim());
  const chunked = res.headers['transfer-encoding'] !== undefined;
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (HOP_BY_HOP.has(name) || named.includes(name) || (chunked && name === 'content-length')) continue;
    out.push(raw[i]!, raw[i + 1]!);
  }
  out.push('connection', 'close', 'moatless-request-id', requestId);
  return out;
}
