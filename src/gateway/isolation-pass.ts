// Proxy credentials for remote browsers ("isolation passes"): the isolation manager asks for one per
// isolation session, the remote Chromium answers the proxy's 407 with it, and the Gateway then
// treats its traffic as that user's, marked as already isolated (never isolated again; Block and
// egress rules still apply). A pass is kept in the store (kv, the secret's SHA-256 only, expiring
// with the isolation session's hard maximum) so any Gateway process sharing the store — another
// cluster worker, another host — verifies it; it is deleted when its session ends, is tied to the
// user's sign-in (dead when it is revoked or the user is deprovisioned), and an unknown, expired or
// deleted pass is refused (407), never passed through as anonymous.
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
// Until loadIsolatedMarkerKey() has read the shared key, a key of this process alone: markers from
// other processes then fail to verify, and their traffic is isolated again (the safe side).
let markerKey = randomBytes(32);

interface Pass { secretHash: string; userKey: string; globalSessionId: string }

export type PassVerdict =
  | { ok: true; identity: Identity; directory: DirectoryFacts | undefined }
  | { ok: false; reason: 'unknown' | 'session' | 'inactive' };

export interface IssuedPass { username: string; password: string; revoke(): Promise<void> }

export class IsolationPasses {
  readonly #kv: KeyValueStore;
  readonly #sessions: Pick<SessionService, 'resolveById'>;
  readonly #directoryFacts: DirectoryFactsSource | undefined;
  readonly #lifetimeMs: () => number;

  constructor(d: {
    kv: KeyValueStore; sessions: Pick<SessionService, 'resolveById'>; directoryFacts?: DirectoryFactsSource | undefined;
    /** How long a pass may live at most: the isolation session's hard maximum (and a minute). */
    lifetimeMs: () => number;
  }) {
    this.#kv = d.kv;
    this.#sessions = d.sessions;
    this.#directoryFacts = d.directoryFacts;
    this.#lifetimeMs = d.lifetimeMs;
  }

  /** Stored before it is returned, so the browser's first request verifies in any process. */
  async issue(user: { userKey: string; globalSessionId: string }): Promise<IssuedPass> {
    const username = `${PASS_PREFIX}${randomBytes(8).toString('hex')}`;
    const password = randomBytes(24).toString('base64url');
    const pass: Pass = { secretHash: hash('sha256', password, 'hex'), userKey: user.userKey, globalSessionId: user.globalSessionId };
    // The store's clock decides expiry (kv.get), so the wall clock sets it, not a test's clock.
    await this.#kv.set(PASS_NS, username, JSON.stringify(pass), Date.now() + this.#lifetimeMs());
    return { username, password, revoke: () => this.#kv.delete(PASS_NS, username) };
  }

  /** Whether `id` (the user name of a Basic credential) is a pass's, so the device store is not asked. */
  static owns(id: string): boolean {
    return PASS_ID.test(id);
  }

  async verify(id: string, secret: string): Promise<PassVerdict> {
    const p = parsePass(await this.#kv.get(PASS_NS, id));
    if (!p || !timingSafeEqual(Buffer.from(hash('sha256', secret, 'hex')), Buffer.from(p.secretHash))) return { ok: false, reason: 'unknown' };
    const session = await this.#sessions.resolveById(p.globalSessionId);
    if (!session || session.userKey !== p.userKey) return { ok: false, reason: 'session' };
    const identity = session.identity;
    const directory = this.#directoryFacts ? await this.#directoryFacts(identity.email) : undefined;
    if (directory && !directory.active) return { ok: false, reason: 'inactive' };
    return { ok: true, identity, directory };
  }
}

function parsePass(text: string | null): Pass | null {
  if (text === null) return null;
  try {
    const v = JSON.parse(text) as Partial<Pass>;
    return typeof v.secretHash === 'string' && /^[0-9a-f]{64}$/.test(v.secretHash) && typeof v.userKey === 'string' && typeof v.globalSessionId === 'string' ? (v as Pass) : null;
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
