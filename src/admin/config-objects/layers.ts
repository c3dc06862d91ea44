// Keeps the served config = moatless.yaml + the API's config objects, on every replica: rebuilt from
// the store whenever the change feed announces a write (or recovers from a gap), and swapped whole.
// Owns: the topic, serialising rebuilds, logging API objects that no longer fit. Must not: write
// objects (writes.ts does) or build the request-path runtime (the composition root's `apply` does).
import type { Logger } from 'pino';
import { loadLayered, type LayeredResult } from '../../config/layered.ts';
import type { ResolvedConfig } from '../../config/load.ts';
import type { ConfigIssue } from '../../config/issues.ts';
import type { ConfigObjectRecord, Store } from '../../store/ports.ts';

/** Published (inside the writing transaction) after any API config object changed. */
export const CONFIG_OBJECTS_TOPIC = 'config.objects';

export interface ConfigLayersDeps {
  store: Store;
  logger: Logger;
  env: Readonly<Record<string, string | undefined>>;
  /** The config being served (its fileObject is the file layer). */
  current(): ResolvedConfig;
  /** Swaps in a new config (built whole first). */
  apply(next: ResolvedConfig): void;
}

export class ConfigLayers {
  readonly #d: ConfigLayersDeps;
  #chain: Promise<void> = Promise.resolve();
  #unsubscribe: (() => void)[] = [];
  /** API objects the last rebuild left out, with why (shown by GET /api/v1/config-objects/not-served). */
  notServed: readonly ConfigIssue[] = [];

  constructor(deps: ConfigLayersDeps) {
    this.#d = deps;
  }

  /** Listens to the change feed: every replica rebuilds as soon as any of them writes. */
  start(): void {
    const again = () => void this.refresh().catch((err: unknown) => {
      this.#d.logger.error({ err }, 'config objects: rebuild failed; still serving the previous config');
    });
    this.#unsubscribe = [this.#d.store.changes.subscribe(CONFIG_OBJECTS_TOPIC, again), this.#d.store.changes.onReconnect(again)];
  }

  stop(): void {
    for (const off of this.#unsubscribe) off();
  }

  /** The file layer of `base` with these objects on top (nothing applied): what a write would serve. */
  check(objects: readonly ConfigObjectRecord[], base: ResolvedConfig = this.#d.current()): LayeredResult {
    return loadLayered(base.fileObject, objects, { env: this.#d.env, ...(base.sourcePath ? { sourcePath: base.sourcePath } : {}) });
  }

  /** Logs and keeps the objects a build left out. */
  noteNotServed(rejected: readonly ConfigIssue[]): void {
    for (const issue of rejected) this.#d.logger.error({ issue }, 'config object not served: it does not fit the file');
    this.notServed = rejected;
  }

  /**
   * Re-reads the objects and applies file + objects; `base` replaces the file layer (a reload).
   * Rebuilds run one at a time, so the last one applied saw the latest objects.
   */
  refresh(base?: ResolvedConfig): Promise<void> {
    const run = this.#chain.then(async () => {
      const from = base ?? this.#d.current();
      const r = this.check(await this.#d.store.admin.configObjects.list(), from);
      this.noteNotServed(r.rejected);
      if (!r.ok) {
        // The file is valid on its own (it was loaded), so this is unexpected; keep what is served.
        this.#d.logger.error({ issues: r.issues }, 'config objects: could not combine with the file');
        return;
      }
      this.#d.apply(r.config);
    });
    this.#chain = run.catch(() => undefined);
    return run;
  }
}
