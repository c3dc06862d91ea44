// The port TLS inspection implements (tls-inspection.ts): terminate a CONNECT tunnel's TLS with a
// certificate minted for the requested host and hand each decrypted HTTP/1.1 request back; and
// open verified TLS to the upstream.
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { OnRequest, OnUpgrade } from '../http1/server-connection.ts';

export interface Inspector {
  /** Decrypted requests come as plain values (src/http1/server-connection.ts), answered one at a time. */
  intercept(client: Duplex, head: Buffer, host: string, onRequest: OnRequest, onUpgrade?: OnUpgrade): void;
  /**
   * TLS over a dialled socket, verified against the system store (+ gateway.extraCaFile) for
   * `servername`; `verify: false` (an Allow rule's untrustedCertificate: passThrough) skips that.
   */
  connectUpstream(socket: Duplex, servername: string, verify?: boolean): Promise<TLSSocket>;
}

export class UpstreamCertificateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UpstreamCertificateError';
  }
}
