// Proxy credentials for remote browsers ("isolation passes"): the isolation manager asks for one per
// isolation session, the remote Chromium answers the proxy's 407 with it, and the Gateway then
// treats its traffic as that user's, marked as already isolated (never isolated again; Block and
// egress rules still apply). A pass is kept in the store (kv, the secret's SHA-256 only, expiring
// with the isolation session's hard maximum) so any Gateway process sharing the store — another
// cluster worker, another host — verifies it; it is deleted when its session ends, is tied to the
// user's sign-in (dead when it is revoked or the user is deprovisioned), and an unknown, expired or
// deleted pass is refused (407), never passed through as anonymous.
// A good verdict is kept in this process for PASS_VERDICT_TTL_MS (the remote browser sends its
// credential on every request; without this each one cost store reads): a pass deleted in this
// process is dropped at once; one deleted by another process (its session ended there), or whose
// sign-in was revoked, is refused here at most PASS_VERDICT_TTL_MS later — the documented bound
// (docs/gateway.md#isolate). Never past the pass's own expiry; refusals are not kept.
// Also signs the `moatless-isolated` marker the Gateway adds when such traffic reaches an Access
// listener, so Access's gateway hook does not isolate it again; the marker's key is shared through
// the store too (any process's Access verifies any process's Gateway). Must not: store secrets in
// the clear.
import { createHmac, hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DirectoryFactsSource } from '../access/context.ts';
import type { Identity } from '../identity/identity.ts';
import type { SessionService } from '../identity/sessions.ts';
import type { DirectoryFacts } from '../policy/types.ts';
import type { KeyValueStore } from '../store/ports.ts';

export const PASS_PREFIX = 'gwi_';
const PASS_ID = /^gwi_[0-9a-f]{16}$/;
export const PASS_NS = 'gateway.isolation-passes';
/** The header the Gateway sets on isolated traffic it relays to an Access listener. */
export const ISOLATED_HEADER = 'moatless-isolated';
const MARKER_TTL_MS = 60_000;
const MARKER_KEY_NS = 'gateway';
const MARKER_KEY_NAME = 'isolated-marker-key';
/** How long a good verdict is reused in one process: the bound on cross-process revocation. */
export const PASS_VERDICT_TTL_MS = 5_000;
/** Verdicts kept at most (one per live remote browser; oldest dropped first). */
const VERDICTS_MAX = 10_000;
// Until loadIsolatedMarkerKey() has read the shared key, a key of this process alone: markers from
// other processes then fail to verify, and their traffic is isolated again (the safe side).
let markerKey = randomBytes(32);

interface Pass { secretHash: string; userKey: string; globalSessionId: string; expiresAt?: number }

interface KeptVerdict { secretHash: Buffer; until: number; verdict: Extract<PassVerdict, { ok: true }> }

export type PassVerdict =
  | { ok: true; identity: Identity; directory: DirectoryFacts | undefined; /** When the pass itself expires (ms). */ expiresAt: number }
  | { ok: false; reason: 'unknown' | 'session' | 'inactive' };

export interface IssuedPass { username: string; password: string; revoke(): Promise<void> }

export class IsolationPasses {
  readonly #kv: KeyValueStore;
  readonly #sessions: Pick<SessionService, 'resolveById'>;
  readonly #directoryFacts: DirectoryFactsSource | undefined;
  readonly #lifetimeMs: () => number;
  readonly #now: () => number;
  readonly #verdicts = new Map<string, KeptVerdict>();
  /** Passes deleted by this process: a verify already under way when one was deleted keeps nothing. */
  readonly #revoked = new Set<string>();

  constructor(d: {
    kv: KeyValueStore; sessions: Pick<SessionService, 'resolveById'>; directoryFacts?: DirectoryFactsSource | undefined;
    /** How long a pass may live at most: the isolation session's hard maximum (and a minute). */
    lifetimeMs: () => number;
    /** The clock of the verdicts kept in this process (tests); the store's clock expires passes. */
    now?: () => number;
  }) {
    this.#kv = d.kv;
    this.#sessions = d.sessions;
    this.#directoryFacts = d.directoryFacts;
    this.#lifetimeMs = d.lifetimeMs;
    this.#now = d.now ?? Date.now;
  }

  /** Stored before it is returned, so the browser's first request verifies in any process. */
  async issue(user: { userKey: string; globalSessionId: string }): Promise<IssuedPass> {
    const username = `${PASS_PREFIX}${randomBytes(8).toString('hex')}`;
    const password = randomBytes(24).toString('base64url');
    // The store's clock decides expiry (kv.get), so the wall clock sets it, not a test's clock.
    const expiresAt = Date.now() + this.#lifetimeMs();
    const pass: Pass = { secretHash: hash('sha256', password, 'hex'), userKey: user.userKey, globalSessionId: user.globalSessionId, expiresAt };
    await this.#kv.set(PASS_NS, username, JSON.stringify(pass), expiresAt);
    return { username, password, revoke: () => this.revoke(username) };
  }

  /** Deletes the pass (its session ended): refused here at once, elsewhere within PASS_VERDICT_TTL_MS. */
  async revoke(username: string): Promise<void> {
    this.#verdicts.delete(username);
    if (this.#revoked.size >= VERDICTS_MAX) this.#revoked.delete(this.#revoked.values().next().value!);
    this.#revoked.add(username);
    await this.#kv.delete(PASS_NS, username);
  }

  /** Whether `id` (the user name of a Basic credential) is a pass's, so the device store is not asked. */
  static owns(id: string): boolean {
    return PASS_ID.test(id);
  }

  async verify(id: string, secret: string): Promise<PassVerdict> {
    const given = Buffer.from(hash('sha256', secret, 'hex'));
    const now = this.#now();
    const kept = this.#verdicts.get(id);
    if (kept && (kept.until <= now || Date.now() >= kept.verdict.expiresAt)) this.#verdicts.delete(id);
    else if (kept && timingSafeEqual(given, kept.secretHash)) return kept.verdict;
    const p = parsePass(await this.#kv.get(PASS_NS, id));
    if (!p || !timingSafeEqual(given, Buffer.from(p.secretHash))) return { ok: false, reason: 'unknown' };
    const session = await this.#sessions.resolveById(p.globalSessionId);
    if (!session || session.userKey !== p.userKey) return { ok: false, reason: 'session' };
    const identity = session.identity;
    const directory = this.#directoryFacts ? await this.#directoryFacts(identity.email) : undefined;
    if (directory && !directory.active) return { ok: false, reason: 'inactive' };
    const verdict = { ok: true as const, identity, directory, expiresAt: p.expiresAt ?? Number.MAX_SAFE_INTEGER };
    // A verify that raced a local revoke() must not bring the verdict back.
    if (this.#revoked.has(id)) return { ok: false, reason: 'unknown' };
    if (this.#verdicts.size >= VERDICTS_MAX) this.#verdicts.delete(this.#verdicts.keys().next().value!);
    this.#verdicts.set(id, { secretHash: given, until: now + PASS_VERDICT_TTL_MS, verdict });
    return verdict;
  }
}

function parsePass(text: string | null): Pass | null {
  if (text === null) return null;
  try {
    const v = JSON.parse(text) as Partial<Pass>;
    return typeof v.secretHash === 'string' && /^[0-9a-f]{64}$/.test(v.secretHash) && typeof v.userKey === 'string' && typeof v.globalSessionId === 'string'
      && (v.expiresAt === undefined || typeof v.expiresAt === 'number') ? (v as Pass) : null;
  } catch {
    return null;
  }
}

/**
 * Reads the marker key every process sharing the store uses, creating it on first start (claim()
 * keeps the first one written when processes race). Called before the Gateway starts.
 */
export async function loadIsolatedMarkerKey(kv: KeyValueStore): Promise<void> {
  const existing = await kv.get(MARKER_KEY_NS, MARKER_KEY_NAME);
  if (existing !== null && /^[0-9a-f]{64}$/.test(existing)) {
    markerKey = Buffer.from(existing, 'hex');
    return;
  }
  if (existing !== null) throw new Error('the stored isolation marker key is malformed');
  await kv.claim(MARKER_KEY_NS, MARKER_KEY_NAME, randomBytes(32).toString('hex'), Number.MAX_SAFE_INTEGER);
  return loadIsolatedMarkerKey(kv);
}

/** `expiry.signature` for the user: proof, for Access's hook, that the Gateway relayed isolated traffic. */
export function isolatedMarker(userKey: string, now: number): string {
  const expiry = now + MARKER_TTL_MS;
  return `${expiry}.${createHmac('sha256', markerKey).update(`${userKey}\n${expiry}`).digest('base64url')}`;
}

export function verifyIsolatedMarker(value: string | string[] | undefined, userKey: string, now: number): boolean {
  if (typeof value !== 'string') return false;
  const m = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!m || Number(m[1]) < now) return false;
  const want = createHmac('sha256', markerKey).update(`${userKey}\n${m[1]}`).digest();
  return timingSafeEqual(Buffer.from(m[2]!, 'base64url'), want);
}
