// One Access listener: a net server (TLS with ALPN http/1.1 when configured) whose connections run
// src/http1's ServerConnection — the lean server side that protected-app requests, the hot path, are
// served on — and a node:http server, never listening itself, that is handed every connection whose
// request needs node:http's objects (the auth host, forward-auth): the socket with the bytes of that
// request put back. A request for node:http pipelined behind a lean one gets 421 (server-connection.ts).
// Owns: accepting, the split, slow-client limits on both sides, and closing both. Must not: decide
// which requests are lean (the caller's `serves`), or answer any request itself.
import {
  createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse,
} from 'node:http';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import type { ServerConfig } from '../config/schema/server.ts';
import { serveHttp1, type ServerConnection, type ServerReply, type ServerRequest } from '../http1/server-connection.ts';

export interface LeanHandlers {
  /** Whether a request is served on the lean side; false: its connection goes to node:http. */
  serves(req: ServerRequest): boolean;
  request(req: ServerRequest, res: ServerReply): void;
  upgrade(req: ServerRequest, socket: Duplex, head: Buffer): void;
}

export interface NodeHandlers {
  request(req: IncomingMessage, res: ServerResponse): void;
  checkContinue(req: IncomingMessage, res: ServerResponse): void;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

export interface Listener {
  /** The accepting server (net, or TLS): close() stops accepting; its callback runs once every connection is gone. */
  server: Server;
  /** Idle connections closed now, and a response in progress made its connection's last. */
  closeIdle(): void;
  /** Every connection cut. */
  closeAll(): void;
}

export function createListener(
  s: ServerConfig, tls: { cert: Buffer; key: Buffer } | null, lean: LeanHandlers, node: NodeHandlers,
): Listener {
  const http = nodeServer(s, node);
  /** Connections the lean side serves, by socket: one handed to node:http is node's from then on. */
  const conns = new Map<Duplex, ServerConnection>();
  const leanOptions = {
    maxHeaderBytes: s.limits.maxHeaderBytes,
    // The field count is request-guard.ts's to refuse (431 with the deny page), as it was with node:http.
    maxFields: 2000,
    headersTimeoutMs: s.timeouts.headers,
    keepAliveMs: s.timeouts.idle,
    requestTimeoutMs: s.timeouts.request,
    handOff: {
      serves: lean.serves,
      to: (socket: Duplex) => {
        conns.delete(socket);
        // node:http reads the bytes put back first, then the socket (RFC 9112: same connection, same order).
        http.emit('connection', socket);
      },
    },
  };
  const accept = (socket: Socket) => {
    const conn = serveHttp1(socket, leanOptions, lean.request, lean.upgrade);
    conns.set(socket, conn);
    socket.once('close', () => conns.delete(socket));
  };
  // ALPN http/1.1 only, as node:https offers it: this listener speaks no HTTP/2. A handshake gets
  // the headers' deadline (TLS's own default is 120 s: a slowloris before the first HTTP byte).
  const server: Server = tls
    ? createTlsServer({ cert: tls.cert, key: tls.key, ALPNProtocols: ['http/1.1'], handshakeTimeout: s.timeouts.headers }, accept)
    : createNetServer(accept);
  // A failed or timed-out handshake: the socket is not closed by node itself (a client that sent half
  // a ClientHello stayed connected past handshakeTimeout).
  if (tls) server.on('tlsClientError', (_err: Error, socket: Duplex) => socket.destroy());
  return {
    server,
    closeIdle: () => {
      for (const c of conns.values()) c.close();
      http.closeIdleConnections();
    },
    closeAll: () => {
      for (const c of conns.values()) c.socket.destroy();
      http.closeAllConnections();
      // Stops node's timeout checker ('listening' started it); the server has no handle to close.
      http.close();
    },
  };
}

/** The node:http side: the same limits as the lean side, for connections handed to it. */
function nodeServer(s: ServerConfig, node: NodeHandlers): HttpServer {
  const http = createHttpServer({
    headersTimeout: s.timeouts.headers,
    requestTimeout: s.timeouts.request,
    keepAliveTimeout: s.timeouts.idle,
    // Node checks the header and request timeouts on this tick (default 30 s): without a
    // shorter one, a slowloris client gets far longer than `timeouts.headers`.
    connectionsCheckingInterval: Math.max(250, Math.min(1000, s.timeouts.headers / 4)),
    maxHeaderSize: s.limits.maxHeaderBytes,
    // Refuse rather than guess: requests with both Content-Length and Transfer-Encoding etc.
    insecureHTTPParser: false,
    requireHostHeader: true,
    joinDuplicateHeaders: false,
  }, node.request);
  http.on('checkContinue', node.checkContinue);
  http.on('upgrade', node.upgrade);
  http.on('clientError', (err, socket) => {
    const status = clientErrorStatus((err as { code?: string }).code);
    // Answer, then drop the connection: a half-closed socket would let a slowloris client keep
    // it open by writing on.
    const answer = `HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`;
    if (socket.writable) socket.end(answer, () => socket.destroy());
    else socket.destroy();
  });
  // It never listens, yet its connections must be tracked: node starts the header/request-timeout
  // checker and the list closeIdleConnections() reads on 'listening' (lib/_http_server.js).
  http.emit('listening');
  return http;
}

function clientErrorStatus(code: string | undefined): string {
  if (code === 'HPE_HEADER_OVERFLOW') return '431 Request Header Fields Too Large';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return '408 Request Timeout';
  return '400 Bad Request';
}
