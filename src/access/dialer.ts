// The one dial path to origins: the proxy (upstream.ts, the `open` of its src/http1/ pools) and the
// upgrade relay (upgrade-relay.ts, through node's `createConnection`) both ask an UpstreamDialer
// for a byte stream, so an origin can be a TCP address or a tunnel (src/tunnel) without either
// caring. Owns: the port, the TCP adapter and how a tunnel is named as an origin.
// Must not: speak HTTP; a dialer hands back bytes only.
import type { Duplex } from 'node:stream';
import { buildConnector } from 'undici';

export interface DialTarget {
  /** The upstream origin as compiled (`https://10.0.0.5:8443`, or a tunnelOrigin()). */
  origin: string;
  /** Give up (with an error whose code contains TIMEOUT) when not connected by then. */
  timeoutMs: number;
}

/** What a dialer hands back: node's HTTP client arms idle timeouts on it like on a net.Socket. */
export interface DialedStream extends Duplex {
  setTimeout(ms: number, onTimeout?: () => void): this;
}

export interface UpstreamDialer {
  /** A connected byte stream to the origin (TLS already done for https). Rejects when it cannot. */
  connect(target: DialTarget): Promise<DialedStream>;
}

/**
 * Direct TCP/TLS through undici's own connector, so the proxy keeps its TLS session cache, Nagle
 * off and TCP keep-alive exactly as before the dial seam existed.
 */
export function tcpDialer(): UpstreamDialer {
  const connectors = new Map<number, buildConnector.connector>();
  return {
    connect({ origin, timeoutMs }) {
      let connector = connectors.get(timeoutMs);
      if (!connector) connectors.set(timeoutMs, (connector = buildConnector({ timeout: timeoutMs })));
      const u = new URL(origin);
      const hostname = u.hostname.replace(/^\[|\]$/g, '');
      const port = u.port || (u.protocol === 'https:' ? '443' : '80');
      return new Promise((resolve, reject) => {
        connector({ hostname, host: u.host, protocol: u.protocol, port, servername: hostname }, (err, socket) => {
          if (err || !socket) reject(err ?? new Error('no socket'));
          else resolve(socket);
        });
      });
    },
  };
}

/** App upstreams written `tunnel:<name>` compile to this origin; `.invalid` never resolves (RFC 6761). */
const TUNNEL_HOST_SUFFIX = '.tunnel.invalid';

export function tunnelOrigin(name: string): string {
  return `http://${name}${TUNNEL_HOST_SUFFIX}`;
}

/** The tunnel an origin names, or null for a TCP origin. */
export function tunnelOf(origin: string): string | null {
  if (!origin.startsWith('http://') || !origin.endsWith(TUNNEL_HOST_SUFFIX)) return null;
  return origin.slice('http://'.length, -TUNNEL_HOST_SUFFIX.length);
}

/** Tunnel origins to `tunnels`, every other origin to `tcp`. */
export function routingDialer(
  tcp: UpstreamDialer, tunnels: (name: string, timeoutMs: number) => Promise<DialedStream>,
): UpstreamDialer {
  return {
    connect(target) {
      const name = tunnelOf(target.origin);
      return name === null ? tcp.connect(target) : tunnels(name, target.timeoutMs);
    },
  };
}
