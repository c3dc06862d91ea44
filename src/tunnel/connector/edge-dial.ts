// How the connector reaches an edge: TLS verified with the system's trust (or `--ca-file`), an
// optional public-key pin, and an optional fixed address per edge replica (`--edge-address`), while
// SNI, the certificate check and Host stay the edge's own name. Plain http:// only to loopback.
// Owns: outbound connections to the edge. Must not: listen on anything.
import { createHash, X509Certificate } from 'node:crypto';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, type PeerCertificate } from 'node:tls';

export interface EdgeTarget {
  /** The edge's public URL (`https://auth.example.com`). */
  url: URL;
  /** Where to connect, when not the URL's own host and port. */
  address: { host: string; port: number } | null;
  ca?: Buffer;
  /** Base64 SHA-256 of the certificate's SubjectPublicKeyInfo (as in HPKP, RFC 7469 §2.4). */
  pinSha256?: string;
}

/**
 * The pin of a certificate: SHA-256 of its DER SubjectPublicKeyInfo. Not `cert.pubkey`: for EC keys
 * node gives the bare curve point there, which matches neither HPKP nor what openssl prints.
 */
export function spkiSha256(cert: PeerCertificate): string {
  const spki = new X509Certificate(cert.raw).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

/** A connected socket to the edge, TLS checked. Used for the tunnel WebSocket and the JWKS fetch. */
export function dialEdge(t: EdgeTarget, timeoutMs = 10_000): Socket {
  const tls = t.url.protocol === 'https:';
  const name = t.url.hostname.replace(/^\[|\]$/g, '');
  const host = t.address?.host ?? name;
  const port = t.address?.port ?? Number(t.url.port || (tls ? 443 : 80));
  const s = tls
    ? tlsConnect({
      host, port, ...(isIP(name) === 0 ? { servername: name } : {}), ...(t.ca ? { ca: t.ca } : {}),
      checkServerIdentity: (_h, cert) => {
        const wrong = checkServerIdentity(name, cert);
        if (wrong) return wrong;
        if (t.pinSha256 && spkiSha256(cert) !== t.pinSha256) {
          return new Error(`the edge's public key does not match --pin-sha256 (got ${spkiSha256(cert)})`);
        }
        return undefined;
      },
    })
    : netConnect({ host, port });
  s.setTimeout(timeoutMs, () => s.destroy(new Error('connecting to the edge timed out')));
  s.once(tls ? 'secureConnect' : 'connect', () => s.setTimeout(0));
  s.setNoDelay(true);
  return s;
}
