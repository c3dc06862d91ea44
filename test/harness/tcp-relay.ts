// A TCP relay on 127.0.0.1 in front of a server (PostgreSQL here), so a test can make the link
// fail the two ways networks do: cut (connections reset, new ones refused) and blackhole (bytes
// stop flowing, no FIN, no RST — what a dead NAT entry or a pulled cable looks like).
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface RelayedConnection {
  client: Socket;
  upstream: Socket;
  /** The relay's local port towards the server: what the server sees as the client's port. */
  upstreamPort: number;
  blackholed: boolean;
}

export type NewConnections = 'pass' | 'refuse' | 'blackhole';

export interface TcpRelay {
  port: number;
  readonly connections: readonly RelayedConnection[];
  /** What happens to connections made from now on. */
  setNew(mode: NewConnections): void;
  /** Resets every open connection. */
  cut(): void;
  /** Stops forwarding on the open connections `which` picks (all by default), leaving them open. */
  blackhole(which?: (c: RelayedConnection) => boolean): number;
  close(): Promise<void>;
}

export async function startTcpRelay(target: { host: string; port: number }): Promise<TcpRelay> {
  const conns = new Set<RelayedConnection>();
  let mode: NewConnections = 'pass';
  const silence = (c: RelayedConnection) => {
    c.blackholed = true;
    c.client.unpipe(c.upstream);
    c.upstream.unpipe(c.client);
    c.client.pause();
    c.upstream.pause();
  };
  const server: Server = createServer((client) => {
    if (mode === 'refuse') { client.destroy(); return; }
    client.pause();
    const upstream = connect(target.port, target.host);
    const c: RelayedConnection = { client, upstream, upstreamPort: 0, blackholed: false };
    conns.add(c);
    const drop = () => { conns.delete(c); client.destroy(); upstream.destroy(); };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    upstream.once('connect', () => {
      c.upstreamPort = upstream.localPort ?? 0;
      if (mode === 'blackhole') return silence(c);
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : 0,
    get connections() { return [...conns]; },
    setNew(m) { mode = m; },
    cut() {
      for (const c of [...conns]) { c.client.resetAndDestroy(); c.upstream.destroy(); conns.delete(c); }
    },
    blackhole(which = () => true) {
      let n = 0;
      for (const c of conns) if (!c.blackholed && which(c)) { silence(c); n++; }
      return n;
    },
    async close() {
      for (const c of [...conns]) { c.client.destroy(); c.upstream.destroy(); }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The same PostgreSQL URL, pointed at the relay. */
export function viaRelay(pgUrl: string, relay: TcpRelay): string {
  const u = new URL(pgUrl);
  u.hostname = '127.0.0.1';
  u.port = String(relay.port);
  return u.href;
}
