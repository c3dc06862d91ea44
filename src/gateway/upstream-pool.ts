// Keep-alive connections from the gateway to origins: one node:http Agent per (user, dialled
// address, port, TLS server name and verification mode). Keyed by user because a connection can
// carry identity — origins using connection-bound authentication (NTLM, Negotiate) authenticate
// the TCP connection, not the request — so one user's connection is never handed to another.
// Keyed by the dialled address because that address passed the egress check for this request; a
// connection made for one address is never reused for another. Unverified TLS (an `allow` rule's
// `untrustedCertificate: passThrough`) gets its own agents, never shared with verified ones.
// Must not decide anything: the caller has decided and checked the address before asking.
import { Agent, type ClientRequestArgs } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface UpstreamKey {
  /** The user (their key), or `anonymous:<client address>` for unidentified traffic. */
  user: string;
  ip: string;
  port: number;
  /** HTTPS to the origin: the server name to verify, and whether to verify at all. */
  tls: { servername: string; verify: boolean } | null;
}

export interface PoolDeps {
  dial(ip: string, port: number): Promise<Socket>;
  secure(socket: Socket, servername: string, verify: boolean): Promise<Duplex>;
  /** An idle pooled connection is closed after this. */
  idleMs: number;
  /** Agents kept; beyond this, idle ones are dropped (oldest first). */
  maxAgents?: number;
}

/** An Agent whose connections are our own dial (and TLS), so the egress-checked address is the one used. */
class DialingAgent extends Agent {
  readonly #open: () => Promise<Duplex>;

  constructor(open: () => Promise<Duplex>, idleMs: number) {
    super({ keepAlive: true, timeout: idleMs, scheduling: 'lifo' });
    this.#open = open;
  }

  override createConnection(_options: ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    this.#open().then((s) => callback?.(null, s), (err: Error) => callback?.(err, undefined as unknown as Duplex));
    return undefined;
  }
}

export class UpstreamPool {
  readonly #d: PoolDeps;
  readonly #agents = new Map<string, Agent>();

  constructor(deps: PoolDeps) {
    this.#d = deps;
  }

  agentFor(key: UpstreamKey): Agent {
    const name = JSON.stringify([key.user, key.ip, key.port, key.tls?.servername ?? null, key.tls?.verify ?? null]);
    let agent = this.#agents.get(name);
    if (agent) {
      // Most recently used last: eviction takes from the front.
      this.#agents.delete(name);
      this.#agents.set(name, agent);
      return agent;
    }
    const { ip, port, tls } = key;
    agent = new DialingAgent(async () => {
      const socket = await this.#d.dial(ip, port);
      return tls ? this.#d.secure(socket, tls.servername, tls.verify) : socket;
    }, this.#d.idleMs);
    this.#agents.set(name, agent);
    this.#evict();
    return agent;
  }

  get size(): number {
    return this.#agents.size;
  }

  #evict(): void {
    const max = this.#d.maxAgents ?? 4096;
    if (this.#agents.size <= max) return;
    for (const [name, agent] of this.#agents) {
      if (this.#agents.size <= max) break;
      // Only agents with no request in flight: dropping one destroys its sockets.
      if (Object.keys(agent.sockets).length > 0 || Object.keys(agent.requests).length > 0) continue;
      agent.destroy();
      this.#agents.delete(name);
    }
  }

  close(): void {
    for (const a of this.#agents.values()) a.destroy();
    this.#agents.clear();
  }
}
