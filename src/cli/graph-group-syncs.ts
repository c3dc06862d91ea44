// Graph group-change polling (identity/entra/group-sync.ts) for every Entra identity provider that
// asks for it — moatless.yaml's and the admin API's alike. The set follows the served config: a
// provider created through the API gets a poller on every replica when the change feed brings it,
// a changed one (tenant, cloud, credential, interval) is restarted, a deleted one stopped (its
// lease given up). The lease inside each poller keeps one poller per provider across replicas.
// Owns: which pollers run. Must not: poll before start() or after stop(), or run two for one IdP.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { ResolvedConfig } from '../config/load.ts';
import type { EntraIdpConfig } from '../config/schema/identity.ts';
import { createEntraGraphClient, credentialFromSecrets } from '../identity/entra/index.ts';
import { createGraphGroupSync, GROUP_DELTA_NAMESPACE, type GraphGroupSync } from '../identity/entra/group-sync.ts';
import { createGroupChangeHook } from '../identity/group-change.ts';
import type { SessionService } from '../identity/sessions.ts';
import type { Store } from '../store/ports.ts';

export interface GraphGroupSyncsDeps {
  sessions: SessionService;
  store: Store;
  logger: Logger;
  idpFetch?: typeof fetch;
  /** The served config: the hook reads its providers when it decides whose sessions end. */
  config: () => ResolvedConfig;
}

interface Running { fingerprint: string; sync: GraphGroupSync }

/** Which tenant's Graph a stored delta link belongs to: a link from another one cannot be followed. */
const tenantOf = (idp: EntraIdpConfig): string => JSON.stringify([idp.tenantId, idp.cloud, idp.graphUrl ?? null]);

const polled = (cfg: ResolvedConfig): EntraIdpConfig[] =>
  cfg.identityProviders.flatMap((p) => (p.type === 'entra' && p.reauthOnGroupChange && p.groupChangePolling > 0 ? [p] : []));

/** What a poller was built from; a hash, so no second copy of a secret is kept in memory. */
function fingerprint(cfg: ResolvedConfig, idp: EntraIdpConfig): string {
  const cert = cfg.secrets.idpClientCertificates.get(idp.id);
  const facts = JSON.stringify([idp, cfg.secrets.idpClientSecrets.get(idp.id) ?? null, cert ? [cert.certificatePem, cert.privateKeyPem] : null]);
  return createHash('sha256').update(facts).digest('hex');
}

export class GraphGroupSyncs {
  readonly #deps: GraphGroupSyncsDeps;
  readonly #running = new Map<string, Running>();
  /** The tenant each provider was last polled for, kept while its polling is off too. */
  readonly #tenants = new Map<string, string>();
  #started = false;
  #stopped = false;
  /** Updates run one after another: a feed change and a file reload must not race. */
  #queue: Promise<void> = Promise.resolve();

  constructor(deps: GraphGroupSyncsDeps) {
    this.#deps = deps;
  }

  /** The providers polled right now (tests and logs). */
  get polling(): string[] {
    return [...this.#running.keys()];
  }

  /** Starts polling for the config's providers; later configs arrive through update(). */
  start(cfg: ResolvedConfig): Promise<void> {
    this.#started = true;
    return this.update(cfg);
  }

  /** Starts, restarts and stops pollers so they match `cfg`; before start() it does nothing. */
  update(cfg: ResolvedConfig): Promise<void> {
    this.#queue = this.#queue.then(() => this.#reconcile(cfg)).catch((err: unknown) => {
      this.#deps.logger.error({ err }, 'entra group sync: could not apply the identity providers');
    });
    return this.#queue;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#queue;
    await Promise.all([...this.#running.values()].map((r) => r.sync.stop()));
    this.#running.clear();
  }

  async #reconcile(cfg: ResolvedConfig): Promise<void> {
    if (!this.#started || this.#stopped) return;
    const wanted = new Map(polled(cfg).map((idp) => [idp.id, { idp, fingerprint: fingerprint(cfg, idp) }]));
    for (const [id, r] of [...this.#running]) {
      if (wanted.get(id)?.fingerprint === r.fingerprint) continue;
      this.#running.delete(id);
      await r.sync.stop();
      if (!wanted.has(id)) this.#deps.logger.info({ idp: id }, 'entra group sync: stopped (provider removed or polling turned off)');
    }
    for (const [id, w] of wanted) {
      if (this.#running.has(id)) continue;
      // Another tenant or cloud: the stored link points at the old one's Graph, so start from now.
      const seen = this.#tenants.get(id);
      if (seen !== undefined && seen !== tenantOf(w.idp)) await this.#deps.store.kv.delete(GROUP_DELTA_NAMESPACE, id);
      this.#tenants.set(id, tenantOf(w.idp));
      const sync = this.#build(cfg, w.idp);
      this.#running.set(id, { fingerprint: w.fingerprint, sync });
      sync.start();
    }
  }

  #build(cfg: ResolvedConfig, idp: EntraIdpConfig): GraphGroupSync {
    const { sessions, store, logger, idpFetch, config } = this.#deps;
    const hook = createGroupChangeHook({ sessions, idpConfigs: () => config().identityProviders });
    const graph = createEntraGraphClient(idp, credentialFromSecrets(cfg.secrets, idp.id), idpFetch ? { fetch: idpFetch } : {});
    return createGraphGroupSync({ idp, graph, kv: store.kv, hook, logger });
  }
}
