// Pre-started remote browsers, so a user's first frame does not wait for Chromium to start
// (≈0.5–1.5 s here) nor for its first tab to be set up over DevTools. Each pooled browser is a
// throwaway-profile Chromium with nobody's data in it, prepared (remote-browser.ts `prepare`) under
// options that allow nothing; it is handed to exactly one session, which adopts it, and never comes
// back (the session closes it and deletes its profile), and a fresh one is started to take its place. Must not: hand one process out twice,
// hand out a browser started with other options (path, account, proxy, heap) than asked for, or
// hold more warm browsers than there is room for under the session cap.
import type { Logger } from 'pino';
import type { LaunchOptions } from './chromium-process.ts';
import { RemoteBrowser } from './remote-browser.ts';



export interface PoolDeps {
  /** Browsers to keep warm (`isolation.pool.size`). */
  size(): number;
  /** Places under the session cap not taken by sessions: warm browsers must fit in them too (they hold memory). */
  room(): number;
  /** The options a session would launch with now; throws when they cannot be resolved (no account). */
  template(): LaunchOptions;
  logger: Logger;
  prepare?: (o: LaunchOptions) => Promise<RemoteBrowser>;
  now?: () => number;
}

/** After a failed start the pool waits this long before trying again (no crash loop). */
const RETRY_AFTER_MS = 30_000;
/**
 * After a handover the replacement starts this much later: a Chromium start takes most of a core for
 * ~1 s, and would otherwise slow the very first frame the pool was there to speed up.
 */
export const REFILL_DELAY_MS = 1500;

interface Warm { key: string; proc: RemoteBrowser }

export function launchKey(o: LaunchOptions): string {
  return JSON.stringify([o.chromiumPath, o.runAs?.uid ?? null, o.runAs?.gid ?? null, o.proxy, o.rendererHeapMb, o.width, o.height, o.profileBase ?? null]);
}

export class BrowserPool {
  readonly #d: PoolDeps;
  readonly #prepare: (o: LaunchOptions) => Promise<RemoteBrowser>;
  readonly #now: () => number;
  #idle: Warm[] = [];
  #warming = 0;
  readonly #inFlight = new Set<Promise<void>>();
  #failedAt = -Infinity;
  #quietUntil = 0;
  #closed = false;
  /** Every browser this pool started, for tests and the benchmark. */
  started = 0;

  constructor(d: PoolDeps) {
    this.#d = d;
    this.#prepare = d.prepare ?? ((o) => RemoteBrowser.prepare(o));
    this.#now = d.now ?? Date.now;
  }

  /** Warm browsers ready to hand over. */
  get ready(): number { return this.#idle.length; }
  get pids(): number[] { return this.#idle.map((w) => w.proc.pid); }
  /** Ready plus starting: what counts against the session cap. */
  get held(): number { return this.#idle.length + this.#warming; }

  /** A warm browser started with exactly `o`, removed from the pool for good; null when none. */
  take(o: LaunchOptions): RemoteBrowser | null {
    this.#keepOnly(launchKey(o));
    const w = this.#idle.shift() ?? null;
    this.#quietUntil = this.#now() + REFILL_DELAY_MS;
    setTimeout(() => this.fill(), REFILL_DELAY_MS).unref();
    return w?.proc ?? null;
  }

  /** Starts browsers until `size` are warm, within the room left under the session cap. */
  fill(): void {
    if (this.#closed) return;
    try {
      this.#keepOnly(launchKey(this.#d.template()));
    } catch { /* the warm start below reports it */ }
    const now = this.#now();
    if (now - this.#failedAt < RETRY_AFTER_MS || now < this.#quietUntil) return;
    const room = Math.max(0, this.#d.room());
    while (this.#idle.length + this.#warming < Math.min(this.#d.size(), room)) {
      const p = this.#warmOne().finally(() => this.#inFlight.delete(p));
      this.#inFlight.add(p);
    }
    // Sessions took the room under the cap: warm browsers beyond it are closed. (A lowered size
    // just stops refills; browsers already warm wait for their user.)
    while (this.#idle.length > 0 && this.#idle.length + this.#warming > room) void this.#idle.pop()!.proc.close();
  }

  /** Browsers started with other options (the config changed, the Gateway came up) are of no use: closed. */
  #keepOnly(key: string): void {
    for (const stale of this.#idle.filter((w) => w.key !== key)) void stale.proc.close();
    this.#idle = this.#idle.filter((w) => w.key === key);
  }

  async #warmOne(): Promise<void> {
    this.#warming++;
    let proc: RemoteBrowser;
    let key: string;
    try {
      const o = this.#d.template();
      key = launchKey(o);
      proc = await this.#prepare(o);
      this.started++;
    } catch (err) {
      this.#failedAt = this.#now();
      this.#d.logger.warn({ err }, 'isolation pool: a browser could not be pre-started; sessions start cold');
      return;
    } finally {
      this.#warming--;
    }
    if (this.#closed) return void proc.close();
    const w = { key, proc };
    this.#idle.push(w);
    // A pooled browser that dies while waiting is dropped and replaced.
    void proc.exited.then(() => {
      const i = this.#idle.indexOf(w);
      if (i === -1) return;
      this.#idle.splice(i, 1);
      this.fill();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const idle = this.#idle;
    this.#idle = [];
    await Promise.all([...idle.map((w) => w.proc.close()), ...this.#inFlight]);
  }
}
