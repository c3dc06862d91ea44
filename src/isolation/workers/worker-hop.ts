// The hop between an auth host and an isolation worker. The auth host dials the worker (TLS when
// the worker registered with TLS, verified against `isolation.workers.caFile` or the system's CAs)
// and proves each relayed request with an HMAC of the worker's name, the method and the path under
// the shared secret (the tunnel relay's proof, its own domain string: good for 30 s, each nonce
// once); the worker checks it in constant time before anything else, then authenticates the user's
// cookie and Origin as the auth host did. Must not: relay to a worker without the proof, or log it.
import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { RelayVerifier, signRelay } from '../../tunnel/edge/relay-auth.ts';

export const HOP_HEADER = 'moatless-isolation-hop';
const HOP_DOMAIN = 'moatless-isolation-hop-v1';
const CONNECT_TIMEOUT_MS = 3_000;

/** The proof that an auth host holding `secret` sends `method path` to `worker` now. */
export function hopProof(secret: string, worker: string, method: string, path: string, now = Date.now()): string {
  return signRelay(secret, worker, `${method} ${path}`, now, HOP_DOMAIN);
}

export interface WorkerAddress { worker: string; host: string; port: number; tls: boolean }

export class WorkerHop {
  readonly #secret: string;
  readonly #ca: Buffer | undefined;

  constructor(d: { secret: string; ca?: Buffer | undefined }) {
    this.#secret = d.secret;
    this.#ca = d.ca;
  }

  /** The CA workers' certificates are verified against (undefined: the system's). */
  get ca(): Buffer | undefined {
    return this.#ca;
  }

  /** The proof header's value for `method path` sent to `worker`. */
  sign(worker: string, method: string, path: string): string {
    return hopProof(this.#secret, worker, method, path);
  }

  /** A connection to the worker; rejects when it refuses, cannot be reached in 3 s, or fails TLS verification. */
  connect(w: WorkerAddress): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const socket = w.tls
        ? tlsConnect({ host: w.host, port: w.port, servername: isIp(w.host) ? undefined : w.host, ...(this.#ca ? { ca: this.#ca } : {}) })
        : netConnect(w.port, w.host);
      const timer = setTimeout(() => socket.destroy(new Error(`isolation worker ${w.worker} did not answer in ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
      socket.once('error', (err) => { clearTimeout(timer); reject(err); });
      socket.once(w.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(socket);
      });
    });
  }
}

/** The worker's check of the proof: null when good, else why not (for its log). */
export class HopVerifier {
  readonly #verifier: RelayVerifier;
  readonly #worker: string;

  constructor(secret: string, worker: string) {
    this.#verifier = new RelayVerifier(secret, HOP_DOMAIN);
    this.#worker = worker;
  }

  check(header: string | string[] | undefined, method: string, path: string): string | null {
    return this.#verifier.check(typeof header === 'string' ? header : undefined, this.#worker, `${method} ${path}`, Date.now());
  }
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
