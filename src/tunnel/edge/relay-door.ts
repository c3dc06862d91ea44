// The receiving side of a relay between edge replicas (relay.ts): `GET /tunnel/v1/relay` upgraded,
// with the tunnel, the sending replica and its proof in headers. A proven request is joined to a
// stream of one of THIS replica's own connections of the tunnel — never relayed on, so a request
// crosses at most one hop and two replicas cannot bounce it between them.
// Must not: open anything before the proof verified; accept a relay when relaying is not configured.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { refuse } from '../../access/upgrade-relay.ts';
import { TUNNEL_NAME } from '../tokens.ts';
import type { TunnelHub } from './hub.ts';
import { RELAY_AUTH_HEADER, type RelayVerifier } from './relay-auth.ts';
import { RELAY_PROTOCOL } from './relay.ts';

/** How long the peer's request may wait for one of our connectors to accept the stream. */
const OPEN_TIMEOUT_MS = 10_000;

export interface RelayDoorDeps {
  hub: TunnelHub;
  /** null: this replica does not relay (tunnel.relay unset); every relay request is refused. */
  verifier: RelayVerifier | null;
  logger: Logger;
  now: () => number;
}

export async function serveRelay(d: RelayDoorDeps, req: IncomingMessage, socket: Duplex, head: Buffer, rid: string): Promise<void> {
  const h = (name: string) => { const v = req.headers[name]; return typeof v === 'string' ? v : ''; };
  const tunnel = h('moatless-relay-tunnel');
  const from = h('moatless-relay-from');
  if (!d.verifier) return refuse(socket, 404, 'Not Found', rid);
  if (h('upgrade').toLowerCase() !== RELAY_PROTOCOL || !TUNNEL_NAME.test(tunnel) || from === '' || from.length > 300) {
    return refuse(socket, 400, 'Bad Request', rid);
  }
  const why = d.verifier.check(h(RELAY_AUTH_HEADER), tunnel, from, d.now());
  if (why) {
    d.logger.warn({ address: req.socket.remoteAddress, tunnel, why }, 'tunnel relay refused');
    return refuse(socket, 401, 'Unauthorized', rid);
  }
  // Our own request came back (a relay URL that points at this replica): never loop.
  if (from === d.hub.edgeId) return refuse(socket, 508, 'Loop Detected', rid);
  if (!d.hub.hasOpen(tunnel)) return refuse(socket, 502, 'Bad Gateway', rid);
  const stream = await d.hub.dial(tunnel, OPEN_TIMEOUT_MS).catch(() => null);
  if (!stream) return refuse(socket, 502, 'Bad Gateway', rid);
  if (socket.destroyed) return void stream.destroy();
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nconnection: Upgrade\r\nupgrade: ${RELAY_PROTOCOL}\r\n\r\n`);
  if (head.length > 0) stream.write(head);
  // Either side failing ends both: the peer's pool then opens a fresh relay for its next request.
  socket.on('error', () => stream.destroy());
  stream.on('error', () => socket.destroy());
  socket.on('close', () => stream.destroy());
  // A clean end was piped as socket.end(): let it flush; anything else cuts the socket.
  stream.on('close', () => { if (!socket.writableEnded) socket.destroy(); });
  socket.pipe(stream);
  stream.pipe(socket);
}
