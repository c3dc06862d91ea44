// The edge side's live connections, by tunnel: picks a healthy connection for each new stream
// (fewest open streams, ties in turn, so connector replicas share the load), fails over to the
// next when one refuses or is gone, and cuts connections whose token is revoked. Keeps this
// replica's rows in the store fresh for `moatless tunnel status`.
// Must not: speak HTTP or read the config.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Store, TunnelConnectionRecord } from '../../store/ports.ts';
import type { MuxSession } from '../mux/session.ts';
import { TunnelStream, TunnelStreamError } from '../mux/stream.ts';

export interface EdgeConnection {
  record: TunnelConnectionRecord;
  session: MuxSession;
}

const HEARTBEAT_MS = 10_000;
/** Rows not refreshed for this long belong to a replica that died; status hides, purge deletes. */
export const STALE_AFTER_MS = 45_000;
/** Change-feed topic: a replica gained or lost a connection of `{ tunnel }` (relay.ts re-reads its peers). */
export const TUNNEL_CONNECTIONS_TOPIC = 'tunnel.connections';

export class TunnelHub {
  readonly #byTunnel = new Map<string, EdgeConnection[]>();
  readonly #store: Store;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #timer: NodeJS.Timeout;
  #turn = 0;
  /** This replica, as shown in status. */
  readonly edgeId = `${hostname()}:${process.pid}`;
  /** Where peers relay to this replica (tunnel.relay.url), written on each connection row; else null. */
  readonly relayUrl: string | null;

  constructor(deps: { store: Store; logger: Logger; now: () => number; relayUrl?: string | null }) {
    this.relayUrl = deps.relayUrl ?? null;
    this.#store = deps.store;
    this.#logger = deps.logger;
    this.#now = deps.now;
    this.#timer = setInterval(() => void this.#heartbeat(), HEARTBEAT_MS);
    this.#timer.unref();
  }

  connections(tunnel: string): readonly EdgeConnection[] {
    return this.#byTunnel.get(tunnel) ?? [];
  }

  hasOpen(tunnel: string): boolean {
    return this.connections(tunnel).some((c) => !c.session.closed);
  }

  add(c: EdgeConnection): void {
    const list = this.#byTunnel.get(c.record.tunnel) ?? [];
    list.push(c);
    this.#byTunnel.set(c.record.tunnel, list);
    const { id, tunnel, connectorId, address } = c.record;
    this.#logger.info({ tunnel, connectorId, address, connection: id }, 'tunnel connection registered');
    // Announced after the row is written, so a peer that re-reads on the notice finds it.
    void this.#store.tunnels.connections.put(c.record)
      .then(() => this.#store.changes.publish(TUNNEL_CONNECTIONS_TOPIC, { tunnel }))
      .catch((err: unknown) => this.#logger.error({ err }, 'tunnel connection row not written'));
    c.session.onClose((why) => {
      const rest = (this.#byTunnel.get(tunnel) ?? []).filter((x) => x !== c);
      if (rest.length > 0) this.#byTunnel.set(tunnel, rest);
      else this.#byTunnel.delete(tunnel);
      this.#logger.info({ tunnel, connectorId, connection: id, why }, 'tunnel connection closed');
      void this.#store.tunnels.connections.remove(id)
        .then(() => this.#store.changes.publish(TUNNEL_CONNECTIONS_TOPIC, { tunnel }))
        .catch(() => undefined);
    });
  }

  /**
   * A new stream to the tunnel. Tries every open connection, least busy first; a refusal or a
   * connection lost while opening moves on to the next, so a dying connector fails no new request.
   */
  async dial(tunnel: string, timeoutMs: number): Promise<TunnelStream> {
    const open = this.connections(tunnel).filter((c) => !c.session.closed);
    if (open.length === 0) throw new TunnelStreamError('ECONNREFUSED', `no connector of tunnel "${tunnel}" is connected`);
    const start = this.#turn++ % open.length;
    const order = [...open.slice(start), ...open.slice(0, start)].sort((a, b) => a.session.streamCount - b.session.streamCount);
    const deadline = this.#now() + timeoutMs;
    let last: unknown = null;
    for (const c of order) {
      const left = deadline - this.#now();
      if (left <= 0 || c.session.closed) continue;
      try {
        return await c.session.open(left);
      } catch (err) {
        last = err;
        if ((err as TunnelStreamError).code === 'TUNNEL_CONNECT_TIMEOUT') break;
      }
    }
    this.#logger.warn({ tunnel, err: last }, 'no tunnel connection accepted the stream');
    throw last ?? new TunnelStreamError('TUNNEL_CONNECT_TIMEOUT', `tunnel "${tunnel}" did not accept the stream in time`);
  }

  /** Cuts every connection made with the token (revoked); returns how many. */
  closeToken(tokenId: string, why: string): number {
    let n = 0;
    for (const list of this.#byTunnel.values()) {
      for (const c of list) {
        if (c.record.tokenId !== tokenId) continue;
        c.session.close(4001, why);
        n++;
      }
    }
    return n;
  }

  /** After the change feed recovered: any token revoked meanwhile is cut now. */
  async recheckTokens(): Promise<void> {
    const ids = new Set([...this.#byTunnel.values()].flat().map((c) => c.record.tokenId));
    for (const id of ids) {
      const t = await this.#store.tunnels.tokens.get(id);
      if (!t || t.revokedAt !== null) this.closeToken(id, 'token revoked');
    }
  }

  async #heartbeat(): Promise<void> {
    const now = this.#now();
    const ids = [...this.#byTunnel.values()].flat().map((c) => c.record.id);
    try {
      if (ids.length > 0) await this.#store.tunnels.connections.touch(ids, now);
      await this.#store.tunnels.connections.purgeBefore(now - 10 * STALE_AFTER_MS);
    } catch (err) {
      this.#logger.error({ err }, 'tunnel heartbeat failed');
    }
  }

  /** Closes every connection (shutdown) and forgets this replica's rows. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    const all = [...this.#byTunnel.values()].flat();
    for (const c of all) c.session.close(1001, 'edge shutting down');
    await Promise.all(all.map((c) => this.#store.tunnels.connections.remove(c.record.id).catch(() => undefined)));
  }
}
