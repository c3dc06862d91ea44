// Users identified by their source address on trusted networks (`gateway.sourceIpBinding`): when a
// user signs in on the auth host from an address inside one of the networks, that address is bound
// to their sign-in for `duration`; proxy traffic from it without a credential is then theirs. The
// binding dies with the sign-in (logout, revocation), with deprovisioning, and when it expires; a
// later sign-in from the same address takes it over. Owns: the bindings (kv `gateway.ipbind`). Must
// not: bind an address outside the configured networks, or outlive the session it names.
import type { DirectoryFactsSource } from '../access/context.ts';
import type { SessionService } from '../identity/sessions.ts';
import { inRange, parseCidr, parseIp, type IpRange } from '../policy/cidr.ts';
import type { KeyValueStore } from '../store/ports.ts';
import type { Who } from './facts.ts';

const NS = 'gateway.ipbind';

export interface IpBindingConfig { networks: string[]; duration: number }

export class SourceIpBindings {
  readonly #kv: KeyValueStore;
  readonly #sessions: Pick<SessionService, 'resolveById'>;
  readonly #directoryFacts: DirectoryFactsSource | undefined;
  readonly #config: () => IpBindingConfig | undefined;
  readonly #now: () => number;
  #ranges: { for: IpBindingConfig | undefined; ranges: IpRange[] } = { for: undefined, ranges: [] };

  constructor(d: {
    kv: KeyValueStore; sessions: Pick<SessionService, 'resolveById'>; directoryFacts?: DirectoryFactsSource | undefined;
    config: () => IpBindingConfig | undefined; now: () => number;
  }) {
    this.#kv = d.kv;
    this.#sessions = d.sessions;
    this.#directoryFacts = d.directoryFacts;
    this.#config = d.config;
    this.#now = d.now;
  }

  /** Whether `gateway.sourceIpBinding` is configured; when not, the proxy asks nothing per request. */
  get enabled(): boolean {
    return this.#config() !== undefined;
  }

  /** The address normalised, when it is inside a trusted network (config validated the CIDRs). */
  #trusted(ip: string | null): string | null {
    const cfg = this.#config();
    if (!cfg || !ip) return null;
    if (this.#ranges.for !== cfg) {
      this.#ranges = { for: cfg, ranges: cfg.networks.flatMap((n) => { const r = parseCidr(n); return 'error' in r ? [] : [r]; }) };
    }
    const addr = parseIp(ip.startsWith('::ffff:') ? ip.slice(7) : ip);
    return addr && this.#ranges.ranges.some((r) => inRange(addr, r)) ? (ip.startsWith('::ffff:') ? ip.slice(7) : ip) : null;
  }

  /** After a sign-in on the auth host: binds its address when it is on a trusted network. */
  async bind(ip: string | null, globalSessionId: string): Promise<boolean> {
    const addr = this.#trusted(ip);
    const cfg = this.#config();
    if (!addr || !cfg) return false;
    await this.#kv.set(NS, addr, globalSessionId, this.#now() + cfg.duration);
    return true;
  }

  /** Who is behind this address, or null (not trusted, never bound, expired, signed out, disabled). */
  async who(ip: string): Promise<{ who: Who; email: string; userKey: string } | null> {
    const addr = this.#trusted(ip);
    if (!addr) return null;
    const id = await this.#kv.get(NS, addr);
    const session = id ? await this.#sessions.resolveById(id) : null;
    if (!session) return null;
    const identity = session.identity;
    const directory = this.#directoryFacts ? await this.#directoryFacts(identity.email) : undefined;
    if (directory && !directory.active) return null;
    return { who: { identity, directory }, email: identity.email, userKey: identity.userKey };
  }
}
