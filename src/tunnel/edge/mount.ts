// The edge's door for connectors, on the auth host: `GET /tunnel/v1/connect` upgraded to a
// WebSocket with `Authorization: Bearer <tunnel token>`, and `/tunnel/v1/certs` (the JWKS a
// connector checks origin assertions with). A thin adapter: tokens.ts judges, hub.ts routes.
// Must not: accept a connection before its token is verified.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { AuthHostMount } from '../../access/context.ts';
import { refuse } from '../../access/upgrade-relay.ts';
import type { Store } from '../../store/ports.ts';
import { MAX_MESSAGE } from '../mux/frames.ts';
import { MuxSession } from '../mux/session.ts';
import { TOKEN_REVOKED_TOPIC, verifyTunnelToken, type TokenRevokedNotice } from '../tokens.ts';
import type { TunnelHub } from './hub.ts';
import type { RelayVerifier } from './relay-auth.ts';
import { serveRelay } from './relay-door.ts';
import { RELAY_PATH, type TunnelRelay } from './relay.ts';

export const TUNNEL_PREFIX = '/tunnel/v1';
const ID = /^[A-Za-z0-9-]{1,64}$/;

export interface TunnelMountDeps {
  hub: TunnelHub;
  store: Store;
  logger: Logger;
  now: () => number;
  /** The origin-assertion JWKS (SigningKeys.jwksJson). */
  jwks: () => string;
  /** Relaying between replicas (tunnel.relay): checks peers' requests, and is closed with the mount. */
  relay?: { verifier: RelayVerifier; client: TunnelRelay } | null;
}

function connectorInfo(req: IncomingMessage): { id: string; version: string; hostname: string; wanted: number } | null {
  const h = (name: string) => { const v = req.headers[name]; return typeof v === 'string' ? v : ''; };
  const id = h('moatless-connector-id');
  const version = h('moatless-connector-version').slice(0, 32);
  const host = h('moatless-connector-hostname').slice(0, 253);
  const wanted = Number(h('moatless-connector-connections') || '1');
  if (!ID.test(id) || !Number.isInteger(wanted) || wanted < 1 || wanted > 64) return null;
  return { id, version: version || 'unknown', hostname: host || 'unknown', wanted };
}

export function tunnelMount(deps: TunnelMountDeps): AuthHostMount {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE, perMessageDeflate: false });
  // The connector learns which tunnel its token serves from the 101 (it names it in its 502 pages).
  const tunnelOfReq = new WeakMap<IncomingMessage, string>();
  wss.on('headers', (headers: string[], req: IncomingMessage) => {
    const t = tunnelOfReq.get(req);
    if (t) headers.push(`moatless-tunnel: ${t}`);
  });
  const unsubscribe = deps.store.changes.subscribe(TOKEN_REVOKED_TOPIC, (p) => {
    const id = (p as Partial<TokenRevokedNotice>).tokenId;
    if (typeof id !== 'string') return;
    const n = deps.hub.closeToken(id, 'token revoked');
    if (n > 0) deps.logger.warn({ tokenId: id, closed: n }, 'tunnel token revoked; connections closed');
  });
  const offReconnect = deps.store.changes.onReconnect(() => void deps.hub.recheckTokens().catch(() => undefined));

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const rid = randomUUID();
    const path = (req.url ?? '').split('?')[0];
    if (path === RELAY_PATH) return serveRelay({ ...deps, verifier: deps.relay?.verifier ?? null }, req, socket, head, rid);
    if (path !== `${TUNNEL_PREFIX}/connect`) return refuse(socket, 404, 'Not Found', rid);
    const auth = req.headers.authorization ?? '';
    const info = connectorInfo(req);
    if (!info) return refuse(socket, 400, 'Bad Request', rid);
    const token = auth.startsWith('Bearer ') ? await verifyTunnelToken(deps.store, auth.slice(7).trim()) : null;
    const address = req.socket.remoteAddress ?? 'unknown';
    if (!token) {
      deps.logger.warn({ address, connectorId: info.id }, 'tunnel connection refused: bad or revoked token');
      return refuse(socket, 401, 'Unauthorized', rid);
    }
    tunnelOfReq.set(req, token.tunnel);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const now = deps.now();
      const session = new MuxSession(ws, { role: 'edge', remoteAddress: address, socket });
      deps.hub.add({
        session,
        record: {
          id: randomUUID(), tunnel: token.tunnel, tokenId: token.id, connectorId: info.id, version: info.version,
          hostname: info.hostname, address, edge: deps.hub.edgeId, wanted: info.wanted, connectedAt: now, lastSeenAt: now,
          relayUrl: deps.hub.relayUrl,
        },
      });
    });
  }

  return {
    prefix: TUNNEL_PREFIX,
    async handle(req: IncomingMessage, res: ServerResponse, requestId: string) {
      const path = (req.url ?? '').split('?')[0];
      const json = (status: number, body: string) => {
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'moatless-request-id': requestId });
        res.end(body);
      };
      if (path === `${TUNNEL_PREFIX}/certs`) return json(200, deps.jwks());
      json(426, JSON.stringify({ code: 'upgrade_required', message: 'connectors open a WebSocket here: moatless connector --edge URL --token T' }));
    },
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      upgrade(req, socket, head).catch((err: unknown) => {
        deps.logger.error({ err }, 'tunnel connection failed; refused');
        refuse(socket, 503, 'Service Unavailable', randomUUID());
      });
    },
    async close() {
      unsubscribe();
      offReconnect();
      deps.relay?.client.close();
      await deps.hub.close();
      wss.close();
    },
  };
}
