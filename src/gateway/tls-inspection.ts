// TLS inspection: a CONNECT tunnel's client TLS is terminated with a leaf certificate minted for
// the requested host by the gateway's CA (cached per host), offering HTTP/1.1 only (ALPN), and
// each decrypted request goes back to the proxy for an HTTP-stage decision. Upstream TLS is
// verified against Node's bundled and the system's trust store plus `gateway.extraCaFile`; an
// invalid certificate becomes the block page. A client that never finishes its handshake is cut
// off after `timeouts.handshake`. The decrypted side is served by src/http1/server-connection.ts
// (strict llhttp parsing, one request at a time, the response framed there), not by node:http.
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { serveHttp1, type OnRequest, type OnUpgrade } from '../http1/server-connection.ts';
import { createLeaf, newKeys, privateKeyPem, type Issuer } from './certificates.ts';
import { UpstreamCertificateError, type Inspector } from './inspector.ts';

export interface InspectionOptions {
  ca: Issuer;
  now(): number;
  /** The TLS handshake inside a tunnel, and each decrypted request's head, must finish within this. */
  handshakeMs: number;
  maxHeaderBytes: number;
  /** A decrypted connection with no request for this long is closed (default 5 s, as the listener's). */
  keepAliveMs?: number;
  /** PEM certificates trusted for upstreams besides the system store. */
  extraCa: string[];
  maxCachedHosts?: number;
}

function trustStore(extra: string[]): string[] {
  const get = (tls as { getCACertificates?: (kind: string) => string[] }).getCACertificates;
  const base = get ? [...get('default'), ...get('system')] : [...tls.rootCertificates];
  return [...new Set([...base, ...extra])];
}

export class TlsInspector implements Inspector {
  readonly #o: InspectionOptions;
  readonly #contexts = new Map<string, Promise<tls.SecureContext>>();
  readonly #leafKey: Promise<{ pem: string; keys: CryptoKeyPairLike }>;
  /** Built once: a context per connection would parse the whole trust store (~150 certificates) each time. */
  readonly #upstreamContext: tls.SecureContext;
  readonly caPem: string;

  constructor(o: InspectionOptions) {
    this.#o = o;
    this.caPem = o.ca.cert.toString('pem');
    this.#upstreamContext = tls.createSecureContext({ ca: trustStore(o.extraCa) });
    // One key for every leaf: minting a host then costs one ECDSA signature.
    this.#leafKey = newKeys().then(async (keys) => ({ pem: await privateKeyPem(keys.privateKey), keys }));
  }

  /** The cached secure context for host, minted on first use. */
  contextFor(host: string): Promise<tls.SecureContext> {
    let p = this.#contexts.get(host);
    if (!p) {
      p = this.#mint(host);
      p.catch(() => this.#contexts.delete(host));
      if (this.#contexts.size >= (this.#o.maxCachedHosts ?? 5000)) this.#contexts.delete(this.#contexts.keys().next().value!);
      this.#contexts.set(host, p);
    }
    return p;
  }

  async #mint(host: string): Promise<tls.SecureContext> {
    const leafKey = await this.#leafKey;
    const leaf = await createLeaf(this.#o.ca, host, leafKey.keys.publicKey, this.#o.now());
    return tls.createSecureContext({ key: leafKey.pem, cert: `${leaf.toString('pem')}\n${this.caPem}` });
  }

  intercept(client: Duplex, head: Buffer, host: string, onRequest: OnRequest, onUpgrade?: OnUpgrade): void {
    if (head.length > 0) client.unshift(head);
    const timer = setTimeout(() => client.destroy(), this.#o.handshakeMs);
    this.contextFor(host).then((secureContext) => {
      const socket = new tls.TLSSocket(client, {
        isServer: true, secureContext, ALPNProtocols: ['http/1.1'],
        // The certificate is always the CONNECT host's: the Host inside must match it anyway.
        SNICallback: (_servername, cb) => void this.contextFor(host).then((c) => cb(null, c), (e: Error) => cb(e)),
      });
      socket.on('error', () => { clearTimeout(timer); socket.destroy(); client.destroy(); });
      socket.once('secure', () => {
        clearTimeout(timer);
        serveHttp1(socket, {
          maxHeaderBytes: this.#o.maxHeaderBytes, headersTimeoutMs: this.#o.handshakeMs, keepAliveMs: this.#o.keepAliveMs ?? 5_000,
        }, onRequest, onUpgrade);
      });
    }, () => client.destroy());
  }

  connectUpstream(socket: Duplex, servername: string, verify = true): Promise<tls.TLSSocket> {
    return new Promise((resolve, reject) => {
      const bare = servername.replace(/^\[|\]$/g, '');
      const isIp = /^[\d.]+$|:/.test(bare);
      const t = tls.connect({
        socket, secureContext: this.#upstreamContext, ALPNProtocols: ['http/1.1'], rejectUnauthorized: verify, ...(isIp ? {} : { servername: bare }),
        checkServerIdentity: verify ? (_h, cert) => tls.checkServerIdentity(bare, cert) : () => undefined,
      });
      const timer = setTimeout(() => t.destroy(new Error('upstream TLS handshake timed out')), this.#o.handshakeMs);
      t.once('secureConnect', () => { clearTimeout(timer); resolve(t); });
      t.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        t.destroy();
        const certProblem = /CERT|SELF_SIGNED|UNABLE_TO|HOSTNAME|ERR_TLS_CERT/.test(err.code ?? '') || /certificate/i.test(err.message);
        reject(certProblem ? new UpstreamCertificateError(`${bare} presented a certificate that cannot be trusted (${err.code ?? err.message}), so the gateway did not connect.`, { cause: err }) : err);
      });
    });
  }

  close(): void {
    this.#contexts.clear();
  }
}

type CryptoKeyPairLike = Awaited<ReturnType<typeof newKeys>>;
