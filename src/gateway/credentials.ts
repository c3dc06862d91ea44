// Per-device proxy credentials: created by a signed-in user on the auth host, presented as
// `Proxy-Authorization: Basic base64(id:secret)` (RFC 9110 §11.7.1). Only the secret's SHA-256 is
// stored. Each credential is tied to the global session it was made from and is checked on every
// use against that session (revoked — logout, `sessions revoke`, risk onRaise: revoke — or
// expired: dead) and the live directory (SCIM active=false: dead). Must not: cache a verdict, so
// a revocation holds on the very next request.
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DirectoryFactsSource } from '../access/context.ts';
import type { Identity } from '../identity/identity.ts';
import type { SessionService } from '../identity/sessions.ts';
import type { DirectoryFacts } from '../policy/types.ts';
import type { ProxyCredentialRecord, SessionRecord, Store } from '../store/ports.ts';

export type CredentialFailure = 'missing' | 'malformed' | 'unknown' | 'revoked' | 'session' | 'inactive';

export type Verified =
  | { ok: true; credential: ProxyCredentialRecord; identity: Identity; directory: DirectoryFacts | undefined }
  | { ok: false; reason: CredentialFailure };

const ID = /^gw_[0-9a-f]{16}$/;
const TOUCH_EVERY_MS = 60_000;

export interface CredentialDeps {
  store: Pick<Store, 'gateway'>;
  sessions: Pick<SessionService, 'resolveById'>;
  directoryFacts?: DirectoryFactsSource | undefined;
  now(): number;
}

export class ProxyCredentials {
  readonly #d: CredentialDeps;

  constructor(deps: CredentialDeps) {
    this.#d = deps;
  }

  /** A new credential for the user of `global`; the secret is shown once and never stored. */
  async create(global: SessionRecord, label: string): Promise<{ id: string; secret: string }> {
    const id = `gw_${randomBytes(8).toString('hex')}`;
    const secret = randomBytes(24).toString('base64url');
    await this.#d.store.gateway.credentials.create({
      id, secretHash: hash('sha256', secret, 'hex'), sessionId: global.id, userKey: global.userKey, email: global.email,
      label: label.slice(0, 80) || 'device', createdAt: this.#d.now(), lastUsedAt: null, revokedAt: null,
    });
    return { id, secret };
  }

  list(userKey: string): Promise<ProxyCredentialRecord[]> {
    return this.#d.store.gateway.credentials.listForUser(userKey);
  }

  /** The live (unrevoked, session alive) credential with this id, for its PAC file; no secret needed. */
  async verifyId(id: string): Promise<ProxyCredentialRecord | null> {
    const c = await this.#d.store.gateway.credentials.get(id);
    if (!c || c.revokedAt !== null || !(await this.#d.sessions.resolveById(c.sessionId))) return null;
    return c;
  }

  revoke(id: string, userKey: string): Promise<boolean> {
    return this.#d.store.gateway.credentials.revoke(id, userKey, this.#d.now());
  }

  async verify(header: string | undefined): Promise<Verified> {
    if (!header) return { ok: false, reason: 'missing' };
    const basic = parseBasic(header);
    if (!basic || !ID.test(basic.id)) return { ok: false, reason: 'malformed' };
    const { id, secret } = basic;
    const c = await this.#d.store.gateway.credentials.get(id);
    if (!c) return { ok: false, reason: 'unknown' };
    const given = Buffer.from(hash('sha256', secret, 'hex'));
    if (!timingSafeEqual(given, Buffer.from(c.secretHash))) return { ok: false, reason: 'unknown' };
    if (c.revokedAt !== null) return { ok: false, reason: 'revoked' };
    const session = await this.#d.sessions.resolveById(c.sessionId);
    if (!session) return { ok: false, reason: 'session' };
    const identity = session.identity;
    const directory = this.#d.directoryFacts ? await this.#d.directoryFacts(identity.email) : undefined;
    if (directory && !directory.active) return { ok: false, reason: 'inactive' };
    const now = this.#d.now();
    if (c.lastUsedAt === null || now - c.lastUsedAt > TOUCH_EVERY_MS) void this.#d.store.gateway.credentials.touch(id, now).catch(() => {});
    return { ok: true, credential: c, identity, directory };
  }
}

/** `Basic base64(id:secret)` → its parts; null when not in that form. */
export function parseBasic(header: string): { id: string; secret: string } | null {
  const m = /^Basic ([A-Za-z0-9+/]{1,200}={0,2})$/i.exec(header.trim());
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0 || colon === decoded.length - 1) return null;
  return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

/** The header value a client sends for a credential (for tests and the devices page's examples). */
export function proxyAuthorization(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}
