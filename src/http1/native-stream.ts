// The native stream under a net or TLS socket (its `_handle`: TCPWrap or TLSWrap), for the one thing
// src/http1 does with it: let Node's llhttp binding read it directly (`consume`), as node:http's own
// server does — no Buffer, stream event or JS call per read besides the parser's callbacks. Socket
// internals, not public API: `nativeStreamOf` says null for anything that is not in the expected shape
// (a tunnel's JS Duplex, a socket already read by someone), and callers then read 'data' events as
// before. Transport library (src/http1/): must not import from a capability.
import type { Duplex } from 'node:stream';

export interface NativeStream {
  readonly isStreamBase: true;
  /** Set by whoever consumes the stream (node:http checks it before consuming a socket itself). */
  _consumed?: boolean;
  /** net.Socket's own view of whether the stream reads: kept in step, so the socket never restarts a read we stopped. */
  reading: boolean;
  readStart(): number;
  readStop(): number;
}

interface SocketInternals {
  _handle?: unknown;
  readableLength?: number;
  destroyed?: boolean;
}

/** The socket's native stream when it can be consumed now: a StreamBase handle, not consumed, nothing read into JS yet. */
export function nativeStreamOf(socket: Duplex): NativeStream | null {
  const s = socket as Duplex & SocketInternals;
  const h = s._handle as Partial<NativeStream> | null | undefined;
  if (!h || h.isStreamBase !== true || h._consumed === true || s.destroyed === true || (s.readableLength ?? 0) > 0) return null;
  if (typeof h.readStart !== 'function' || typeof h.readStop !== 'function') return null;
  return h as NativeStream;
}

/** Starts or stops reading a consumed stream, as node:http does for its consumed sockets. */
export function setReading(h: NativeStream, on: boolean): void {
  if (h.reading === on) return;
  h.reading = on;
  if (on) h.readStart();
  else h.readStop();
}
