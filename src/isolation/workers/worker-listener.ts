// The listener of `moatless isolation-worker`: the only door to its remote browsers. It has no
// public face — no viewer page, no sign-in, nothing but the relayed viewer WebSocket and downloads
// — and it answers nothing without the auth host's proof (worker-hop.ts): 401 before any cookie is
// even read. Past the proof, the viewer mount authenticates the user's session cookie and Origin
// exactly as on the auth host. TLS when `isolation.worker.tls` is set. Must not: serve a request
// whose proof does not verify.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { RelayHandlers } from '../http/viewer-owners.ts';
import { HOP_HEADER, HopVerifier } from './worker-hop.ts';

const HEADERS_TIMEOUT_MS = 10_000;

export interface WorkerListenerOptions {
  host: string;
  port: number;
  secret: string;
  /** This worker's registered name: proofs made for another worker do not verify here. */
  name: string;
  tls?: { certFile: string; keyFile: string } | undefined;
  baseDir: string;
  logger: Pick<Logger, 'warn'>;
}

/** Listens; resolves with the server and the port it got (port 0 picks one). */
export async function listenForAuthHosts(o: WorkerListenerOptions, handlers: RelayHandlers): Promise<{ server: Server; port: number }> {
  const verifier = new HopVerifier(o.secret, o.name);
  const proven = (req: IncomingMessage): boolean => {
    const why = verifier.check(req.headers[HOP_HEADER], req.method ?? 'GET', req.url ?? '/');
    if (why !== null) o.logger.warn({ remote: req.socket.remoteAddress, why }, 'isolation worker: refused a request without a valid auth-host proof');
    return why === null;
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (!proven(req)) return void res.writeHead(401, { 'content-length': '0', connection: 'close' }).end();
    handlers.request(req, res);
  };
  // A peer on the private network that sends its headers slowly is cut off (slowloris), as on the public listener.
  const limits = { headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: 0, connectionsCheckingInterval: 2_500 };
  const server = o.tls
    ? createHttpsServer({ ...limits, handshakeTimeout: HEADERS_TIMEOUT_MS, cert: readFileSync(resolve(o.baseDir, o.tls.certFile)), key: readFileSync(resolve(o.baseDir, o.tls.keyFile)) }, onRequest)
    : createServer(limits, onRequest);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!proven(req)) return void socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    handlers.upgrade(req, socket, head);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen({ host: o.host, port: o.port }, () => ok());
  });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('the isolation worker listener has no port');
  return { server, port: addr.port };
}
