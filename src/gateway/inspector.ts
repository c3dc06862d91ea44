// The port TLS inspection implements (tls-inspection.ts): terminate a CONNECT tunnel's TLS with a
// certificate minted for the requested host and hand each decrypted HTTP/1.1 request back; and
// open verified TLS to the upstream.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';

export interface Inspector {
  intercept(client: Duplex, head: Buffer, host: string, onRequest: (req: IncomingMessage, res: ServerResponse) => void,
    onUpgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void): void;
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
