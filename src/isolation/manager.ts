// The sessions of this process: one per user (so one Chromium per user), admission from cores and
// memory, deadlines (grace, idle, hard maximum), immediate end on revocation, logout and
// deprovisioning, a pool of warm browsers (`browser-pool.ts`), a memory watchdog per session, and a
// registry in the store that `moatless isolation sessions` reads and can end sessions through (the
// change feed reaches this process). Must not: admit past capacity.
import { hostname, cpus, totalmem } from 'node:os';
import type { Logger } from 'pino';
import type { IsolationConfig, IsolationControls } from '../config/schema/isolation.ts';
import type { RevocationNotice, SessionService } from '../identity/sessions.ts';
import type { Store } from '../store/ports.ts';
import { BrowserPool } from './browser-pool.ts';
import type { LaunchOptions } from './chromium-process.ts';
import { RemoteBrowser } from './remote-browser.ts';
import { pssBytes, readProcTable, treeOf } from './process-tree.ts';
import { Timeline } from './timeline.ts';
import { castSettings, IsolationSession, type SessionUser } from './session.ts';
import type { EgressSource, IsolationAudit, IsolationReason, NavigationCheck, RemoteCookie } from './types.ts';

export const REGISTRY_NS = 'isolation.sessions';
export const END_TOPIC = 'isolation.end';
const TICK_MS = 1000;
const REGISTRY_EVERY_MS = 10_000;
/** How often a policy-isolated session's page is checked again (the user's risk may have dropped). */
const RECHECK_EVERY_MS = 2_000;
/** How often each remote browser's process tree is weighed against `limits.maxMemoryMb`. */
const WATCH_EVERY_MS = 2_000;

export interface SessionSummary {
  id: string; user: string; startedAt: number; lastInputAt: number; state: string; url: string;
  tabs: number; viewer: boolean; pid: number | null; host: string; policy: string;
  /** The isolation worker holding it (`isolation.worker.name`); absent for `moatless serve`'s own. */
  worker?: string;
}

/** What isolates a user at `url` and under which controls: the Gateway's isolating policy, or clientless. */
export type ControlsSource = (user: SessionUser, url: string | null) => Promise<IsolationReason>;

/** The remote browser signed in as its user (the auth host's cookie), and how to end that sign-in. */
export type RemoteSignIn = (user: SessionUser) => Promise<{ cookies: RemoteCookie[]; release(): Promise<void> } | null>;

export interface ManagerDeps {
  config: () => IsolationConfig;
  launch: () => LaunchOptions;
  sessions: SessionService;
  store: Store;
  audit: IsolationAudit;
  logger: Logger;
  checkNavigation?: NavigationCheck;
  controlsFor?: ControlsSource;
  egress?: EgressSource;
  /** The proxy remote browsers use (the Gateway's), known before any user: pooled browsers start with it. */
  egressProxy?: () => string | null;
  /** Whether warm browsers are worth keeping now (some policy can isolate); default: always. */
  poolWanted?: () => boolean;
  signIn?: RemoteSignIn;
  now?: () => number;
  /** This process is `moatless isolation-worker` under this name: listed with each session. */
  worker?: string;
}

/** min(3 × cores, (RAM − 1 GB) / 400 MB), from the notes' measurements (≈200–400 MB per session). */
export function defaultMaxSessions(cores = cpus().length, memBytes = totalmem()): number {
  return Math.max(1, Math.min(3 * cores, Math.floor((memBytes - 1024 ** 3) / (400 * 1024 ** 2))));
}

export const httpOnly: NavigationCheck = async (_user, url) =>
  url.protocol === 'http:' || url.protocol === 'https:' ? { allow: true } : { allow: false, reason: 'not a web address' };

export class SessionManager {
  readonly #d: ManagerDeps;
  readonly #now: () => number;
  readonly #byUser = new Map<string, IsolationSession>();
  readonly #starting = new Map<string, Promise<IsolationSession>>();
  readonly #unsubscribe: Array<() => void> = [];
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #host = `${hostname()}:${process.pid}`;
  #lastRecheck = 0;
  #lastWatch = 0;
  /** What each session's registry row last said, minus its last-input time (see #publishChanged). */
  readonly #published = new Map<string, string>();
  readonly pool: BrowserPool;

  constructor(d: ManagerDeps) {
    this.#d = d;
    this.#now = d.now ?? Date.now;
    this.pool = new BrowserPool({
      size: () => (d.config().enabled && (d.poolWanted?.() ?? true) ? d.config().pool.size : 0),
      room: () => this.maxSessions - this.#byUser.size - this.#starting.size,
      template: () => this.#poolLaunch(), logger: d.logger,
      // Its screencast armed as its session will run it (session.ts), so adopting it restarts nothing.
      prepare: (o) => RemoteBrowser.prepare(o, undefined, castSettings(d.config())),
    });
    this.#unsubscribe.push(
      d.sessions.onRevoked((n) => this.#revoked(n)),
      d.store.changes.subscribe(END_TOPIC, (p) => {
        const id = (p as { id?: unknown }).id;
        const s = [...this.#byUser.values()].find((x) => x.id === id);
        if (s) void s.end('ended by an administrator');
      }),
    );
    const tick = setInterval(() => this.#tick(), TICK_MS);
    const registry = setInterval(() => void this.#publish(), REGISTRY_EVERY_MS);
    tick.unref();
    registry.unref();
    this.#timers.push(tick, registry);
    // The first tick (1 s after boot) warms the pool: the first user should not wait for a launch
    // either, and a boot that fails at once (a port in use) starts no browser.
  }

  #poolLaunch(): LaunchOptions {
    const launch = this.#d.launch();
    const proxy = this.#d.egressProxy?.() ?? null;
    return proxy ? { ...launch, proxy } : launch;
  }

  get maxSessions(): number {
    return this.#d.config().limits.maxSessions ?? defaultMaxSessions();
  }

  get size(): number {
    return this.#byUser.size;
  }

  /** Places no session holds or is starting (warm browsers yield theirs). */
  get free(): number {
    return Math.max(0, this.maxSessions - this.#byUser.size - this.#starting.size);
  }

  /** Whether `user` may have a session now: they already do, or there is room. */
  admits(userKey: string): boolean {
    return this.#byUser.has(userKey) || this.#starting.has(userKey) || this.#byUser.size + this.#starting.size < this.maxSessions;
  }

  find(userKey: string): IsolationSession | undefined {
    return this.#byUser.get(userKey);
  }

  /** The user's session, started if needed. Throws CapacityError when full. */
  async sessionFor(user: SessionUser, url: string | null): Promise<IsolationSession> {
    const existing = this.#byUser.get(user.userKey);
    if (existing && existing.state !== 'ended') return existing;
    const pending = this.#starting.get(user.userKey);
    if (pending) return pending;
    if (!this.admits(user.userKey)) throw new CapacityError(this.maxSessions);
    const starting = this.#start(user, url).finally(() => this.#starting.delete(user.userKey));
    this.#starting.set(user.userKey, starting);
    return starting;
  }

  async #start(user: SessionUser, url: string | null): Promise<IsolationSession> {
    const timeline = new Timeline();
    timeline.mark('request');
    const base = this.#d.launch();
    const egress = (await this.#d.egress?.(user)) ?? null;
    const launch = egress ? { ...base, proxy: egress.proxy } : base;
    const fresh = async (o: LaunchOptions) => this.pool.take(o) ?? RemoteBrowser.prepare(o);
    // The browser comes from the pool (or starts and is prepared) while the policy and the sign-in
    // are looked up.
    const warm = this.pool.take(launch);
    timeline.pooled = warm !== null;
    let early: Promise<RemoteBrowser> | null = warm ? Promise.resolve(warm) : RemoteBrowser.prepare(launch);
    void early.then(() => timeline.mark('browser'), () => {});
    early.catch(() => {}); // handled where it is awaited (the session's start); not an unhandled rejection meanwhile
    const [whyR, signInR] = await Promise.allSettled([
      (this.#d.controlsFor ?? clientless(this.#d.config().controls))(user, url), this.#d.signIn?.(user) ?? null,
    ]);
    if (whyR.status === 'rejected' || signInR.status === 'rejected') {
      egress?.release();
      if (signInR.status === 'fulfilled') void signInR.value?.release().catch(() => {});
      void early.then((p) => p.close(), () => {});
      throw whyR.status === 'rejected' ? whyR.reason : (signInR as PromiseRejectedResult).reason;
    }
    timeline.mark('policy');
    const why = whyR.value;
    const signIn = signInR.value;
    const deps = {
      timeline,
      config: this.#d.config(), launch, audit: this.#d.audit, now: this.#now,
      // The first start uses the browser already on its way; a restart after a crash gets another.
      prepare: (o: LaunchOptions) => { const p = early ?? fresh(o); early = null; return p; },
      checkNavigation: this.#d.checkNavigation ?? httpOnly, cookies: signIn?.cookies ?? [],
      proxyAuth: egress ? { username: egress.username, password: egress.password } : null,
    };
    const release = () => { egress?.release(); void signIn?.release().catch(() => {}); };
    const s = new IsolationSession(user, why, deps, (x, reason) => { release(); this.#ended(x, reason); });
    try {
      await s.start();
    } catch (err) {
      release();
      throw err;
    }
    this.#byUser.set(user.userKey, s);
    s.audit('session-start', url ?? undefined);
    void this.#publish();
    return s;
  }

  list(): SessionSummary[] {
    return [...this.#byUser.values()].map((s) => ({
      id: s.id, user: s.user.email, startedAt: s.startedAt, lastInputAt: s.lastInputAt, state: s.state, url: s.url,
      tabs: s.remote?.tabCount ?? 0, viewer: s.hasViewer, pid: s.remote?.pid ?? null, host: this.#host, policy: s.policy,
      ...(this.#d.worker ? { worker: this.#d.worker } : {}),
    }));
  }

  async end(id: string, reason: string): Promise<boolean> {
    const s = [...this.#byUser.values()].find((x) => x.id === id);
    if (!s) return false;
    await s.end(reason);
    return true;
  }

  #ended(s: IsolationSession, reason: string): void {
    if (this.#byUser.get(s.user.userKey) === s) this.#byUser.delete(s.user.userKey);
    this.#d.logger.info({ isolationSession: s.id, user: s.user.email, reason }, 'isolation session ended');
    this.#published.delete(s.id);
    void this.#d.store.kv.delete(REGISTRY_NS, s.id).catch(() => {});
    this.pool.fill();
  }

  #revoked(n: RevocationNotice): void {
    const users = new Set(n.userKeys);
    const emails = new Set(n.emails);
    const ids = new Set(n.sessionIds);
    for (const s of this.#byUser.values()) {
      if (users.has(s.user.userKey) || emails.has(s.user.email) || ids.has(s.user.globalSessionId)) {
        // Groups changed (e.g. a risk group left): sign in again, and Access decides afresh whether
        // the page still needs isolation; so the viewer sends the user to it. Otherwise: just end.
        const direct = n.reason === 'group_change' ? s.isolatedUrl ?? undefined : undefined;
        void s.end(`signed out or revoked (${n.reason})`, direct);
      }
    }
  }

  /** A policy-isolated session whose page no policy isolates any more (risk dropped) ends; the user goes direct. */
  async #recheck(s: IsolationSession): Promise<void> {
    const check = this.#d.checkNavigation;
    const url = s.isolatedUrl;
    if (!check || !s.byPolicy || s.state !== 'running' || !url) return;
    const v = await check(s.user, new URL(url)).catch(() => null);
    if (v?.allow && v.direct) await s.end('no policy isolates this site for you any more; it opens directly', url);
  }

  #tick(): void {
    const now = this.#now();
    if (now - this.#lastRecheck >= RECHECK_EVERY_MS) {
      this.#lastRecheck = now;
      for (const s of this.#byUser.values()) void this.#recheck(s);
    }
    if (now - this.#lastWatch >= WATCH_EVERY_MS) {
      this.#lastWatch = now;
      this.#watchMemory();
    }
    this.pool.fill();
    void this.#publishChanged();
    const l = this.#d.config().lifecycle;
    for (const s of this.#byUser.values()) {
      if (now - s.startedAt >= l.maxDuration) void s.end('the maximum session length was reached');
      else if (now - s.lastInputAt >= l.idle) void s.end('idle');
      else if (s.viewerLeftAt !== null && now - s.viewerLeftAt >= l.grace) void s.end('the viewer was closed');
    }
  }

  /**
   * A page allocating without end (typed arrays and images are outside the V8 heap cap), or many
   * tabs: the browser's whole process tree is weighed (proportional set size), and a session over
   * the limit ends alone,
   * with the reason shown in its viewer. Other users' browsers are other processes and keep running.
   */
  #watchMemory(): void {
    const limitMb = this.#d.config().limits.maxMemoryMb;
    const running = [...this.#byUser.values()].filter((s) => s.state !== 'ended' && s.remote);
    if (running.length === 0) return;
    const table = readProcTable();
    for (const s of running) {
      // PSS, not summed RSS: each of a browser's ~10 processes maps Chromium's code, and summing
      // their RSS counts it ~10 times (measured: 980 MB summed RSS for 225 MB PSS on a text page).
      const used = pssBytes(treeOf(s.remote!.pid, table));
      s.memoryBytes = used;
      if (used <= limitMb * 1024 ** 2) continue;
      this.#d.logger.warn({ isolationSession: s.id, user: s.user.email, pssMb: Math.round(used / 1024 ** 2), limitMb }, 'isolation session over its memory limit');
      void s.end(`the remote browser used more memory than allowed (${Math.round(used / 1024 ** 2)} MB, limit ${limitMb} MB); the page was closed`);
    }
  }

  /** Every session's row, renewed (its expiry and last-input time) every REGISTRY_EVERY_MS. */
  async #publish(): Promise<void> {
    for (const row of this.list()) await this.#write(row);
  }

  /**
   * Rows whose page, tabs, state or viewer changed since they were last written, within a tick: an
   * admin listing sessions (CLI, admin API, dashboard) saw the URL and "no viewer" of the session's
   * start for up to 10 s. The last-input time alone waits for the periodic write (one store write per
   * active session per second otherwise).
   */
  async #publishChanged(): Promise<void> {
    for (const row of this.list()) if (this.#published.get(row.id) !== changeKey(row)) await this.#write(row);
  }

  async #write(row: SessionSummary): Promise<void> {
    this.#published.set(row.id, changeKey(row));
    await this.#d.store.kv.set(REGISTRY_NS, row.id, JSON.stringify(row), this.#now() + 3 * REGISTRY_EVERY_MS)
      .catch((err: unknown) => this.#d.logger.warn({ err }, 'isolation registry write failed'));
  }

  async close(): Promise<void> {
    // First, so that sessions ending below start no replacements.
    const poolClosed = this.pool.close();
    for (const u of this.#unsubscribe) u();
    for (const t of this.#timers) clearInterval(t);
    await Promise.allSettled([...this.#starting.values()]);
    await Promise.all([...this.#byUser.values()].map((s) => s.end('the server is shutting down')));
    await poolClosed;
  }
}

function clientless(controls: IsolationControls): ControlsSource {
  return async () => ({ controls, policy: 'clientless', notice: 'clientless isolation (isolation.controls)', byPolicy: false });
}

export class CapacityError extends Error {
  readonly max: number;
  constructor(max: number) {
    super(`isolation capacity reached (${max} sessions)`);
    this.name = 'CapacityError';
    this.max = max;
  }
}

function changeKey(row: SessionSummary): string {
  return JSON.stringify({ ...row, lastInputAt: 0 });
}
