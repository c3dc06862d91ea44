// Where an auth host starts a user's remote browser when nobody holds it: the registered worker
// with the most free slots (ties: this process, when it runs browsers too, saving a hop; then any
// at random, so auth hosts do not all pile onto one). A worker an auth host could not reach is
// left out for a few seconds, so the next viewer starts elsewhere at once instead of waiting for
// the worker's registration to expire. Also decides whether a lease naming a worker is still good.
// Must not: start anything (the chosen worker does), or trust an entry that does not verify.
import type { WorkerDirectory, WorkerEntry } from './worker-registry.ts';

const UNREACHABLE_MS = 10_000;

export type PlacementTarget = 'local' | WorkerEntry;

/** The parts of an owner lease that name a worker. */
export interface WorkerRef { worker: string; host: string; port: number; tls: boolean }

export class Placement {
  readonly #directory: WorkerDirectory;
  readonly #localFree: () => number | null;
  readonly #unreachable = new Map<string, number>();

  /** `localFree`: free slots in this process, or null when it runs no browsers. */
  constructor(d: { directory: WorkerDirectory; localFree: () => number | null }) {
    this.#directory = d.directory;
    this.#localFree = d.localFree;
  }

  get runsLocally(): boolean {
    return this.#localFree() !== null;
  }

  markUnreachable(worker: string): void {
    this.#unreachable.set(worker, Date.now() + UNREACHABLE_MS);
    this.#directory.refresh();
  }

  #reachable(name: string): boolean {
    const until = this.#unreachable.get(name);
    if (until === undefined) return true;
    if (until > Date.now()) return false;
    this.#unreachable.delete(name);
    return true;
  }

  /** The live, verified worker a lease names, at the same address; null when the lease is stale or forged. */
  async find(ref: WorkerRef): Promise<WorkerEntry | null> {
    const e = (await this.#directory.live()).find((w) => w.name === ref.worker);
    return e && e.host === ref.host && e.port === ref.port && e.tls === ref.tls && this.#reachable(e.name) ? e : null;
  }

  /** Where a user nobody holds goes now; null when no worker (nor this process) has a free slot. */
  async choose(): Promise<PlacementTarget | null> {
    const found = this.#pick(await this.#directory.live());
    if (found !== null) return found;
    // "No room" is said only from a fresh read: a worker that registered within the cache's second counts.
    this.#directory.refresh();
    return this.#pick(await this.#directory.live());
  }

  #pick(live: readonly WorkerEntry[]): PlacementTarget | null {
    const workers = live.filter((w) => w.free > 0 && this.#reachable(w.name));
    const local = this.#localFree();
    const most = Math.max(0, local ?? 0, ...workers.map((w) => w.free));
    if (most === 0) return null;
    if (local === most) return 'local';
    const best = workers.filter((w) => w.free === most);
    return best[Math.floor(Math.random() * best.length)]!;
  }
}
