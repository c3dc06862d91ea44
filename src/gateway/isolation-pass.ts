// Proxy credentials for remote browsers ("isolation passes"): the isolation manager asks for one per
// isolation session, the remote Chromium answers the proxy's 407 with it, and the Gateway then
// treats its traffic as that user's, marked as already isolated (never isolated again; Block and
// egress rules still apply). A pass lives in this process's memory only, is tied to the user's
// sign-in (dead when it is revoked or the user is deprovisioned) and dies with its session.
// Also signs the `moatless-isolated` marker the Gateway adds when such traffic reaches an Access app
// in this process, so Access's gateway hook does not isolate it again. Must not: persist secrets.
import { createHmac, hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DirectoryFactsSource } from '../access/context.ts';
import type { Identity } from '../identity/identity.ts';
import type { SessionService } from '../identity/sessions.ts';
import type { DirectoryFacts } from '../policy/types.ts';

export const PASS_PREFIX = 'gwi_';
const PASS_ID = /^gwi_[0-9a-f]{16}$/;
/** The header the Gateway sets on isolated traffic it relays to an Access listener of this process. */
export const ISOLATED_HEADER = 'moatless-isolated';
const MARKER_TTL_MS = 60_000;
// One key per process: the Gateway and Access's hook run in the same process and share it.
const MARKER_KEY = randomBytes(32);

interface Pass { secretHash: string; userKey: string; globalSessionId: string }

export type PassVerdict =
  | { ok: true; identity: Identity; directory: DirectoryFacts | undefined }
  | { ok: false; reason: 'unknown' | 'session' | 'inactive' };

export class IsolationPasses {
  readonly #passes = new Map<string, Pass>();
  readonly #sessions: Pick<SessionService, 'resolveById'>;
  readonly #directoryFacts: DirectoryFactsSource | undefined;

  constructor(d: { sessions: Pick<SessionService, 'resolveById'>; directoryFacts?: DirectoryFactsSource | undefined }) {
    this.#sessions = d.sessions;
    this.#directoryFacts = d.directoryFacts;
  }

  issue(user: { userKey: string; globalSessionId: string }): { username: string; password: string; revoke(): void } {
    const username = `${PASS_PREFIX}${randomBytes(8).toString('hex')}`;
    const password = randomBytes(24).toString('base64url');
    this.#passes.set(username, { secretHash: hash('sha256', password, 'hex'), userKey: user.userKey, globalSessionId: user.globalSessionId });
    return { username, password, revoke: () => void this.#passes.delete(username) };
  }

  /** Whether `id` (the user name of a Basic credential) is a pass's, so the device store is not asked. */
  static owns(id: string): boolean {
    return PASS_ID.test(id);
  }

  async verify(id: string, secret: string): Promise<PassVerdict> {
    const p = this.#passes.get(id);
    if (!p || !timingSafeEqual(Buffer.from(hash('sha256', secret, 'hex')), Buffer.from(p.secretHash))) return { ok: false, reason: 'unknown' };
    const session = await this.#sessions.resolveById(p.globalSessionId);
    if (!session || session.userKey !== p.userKey) return { ok: false, reason: 'session' };
    const identity = session.identity;
    const directory = this.#directoryFacts ? await this.#directoryFacts(identity.email) : undefined;
    if (directory && !directory.active) return { ok: false, reason: 'inactive' };
    return { ok: true, identity, directory };
  }
}

/** `expiry.signature` for the user: proof, for Access's hook, that the Gateway relayed isolated traffic. */
export function isolatedMarker(userKey: string, now: number): string {
  const expiry = now + MARKER_TTL_MS;
  return `${expiry}.${createHmac('sha256', MARKER_KEY).update(`${userKey}\n${expiry}`).digest('base64url')}`;
}

export function verifyIsolatedMarker(value: string | string[] | undefined, userKey: string, now: number): boolean {
  if (typeof value !== 'string') return false;
  const m = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!m || Number(m[1]) < now) return false;
  const want = createHmac('sha256', MARKER_KEY).update(`${userKey}\n${m[1]}`).digest();
  return timingSafeEqual(Buffer.from(m[2]!, 'base64url'), want);
}
