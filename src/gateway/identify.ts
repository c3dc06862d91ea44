// Who is proxying: the per-device credential in `Proxy-Authorization`, and what happens to
// traffic without one (`gateway.unidentified`: 407, block, or the rules as anonymous). A credential
// that is presented but dead (revoked, session gone, user deprovisioned) always gets 407, never a
// silent downgrade to anonymous.
import { parseBasic, type ProxyCredentials, type CredentialFailure, type Verified } from './credentials.ts';
import type { Who } from './facts.ts';
import { IsolationPasses } from './isolation-pass.ts';
import type { SourceIpBindings } from './ip-binding.ts';

export type Identified =
  | { ok: true; who: Who; credentialId: string | null; email: string | null; userKey: string | null }
  | { ok: false; status: 407 | 403; why: string; reason: CredentialFailure };

const WHY: Record<CredentialFailure, string> = {
  missing: 'This proxy needs your device credential. Create one on the Moatless sign-in site under /gateway/devices.',
  malformed: 'The proxy credential is not in the expected form (Basic, id:secret).',
  unknown: 'The proxy credential is not recognised.',
  revoked: 'This proxy credential was revoked. Create a new one under /gateway/devices.',
  session: 'The sign-in this proxy credential belongs to has ended. Sign in again and create a new one.',
  inactive: 'Your account is disabled.',
};

/** Unidentified traffic under `unidentified: anonymous`: one frozen answer, not an object per request. */
const ANONYMOUS: Identified = Object.freeze({ ok: true, who: Object.freeze({}), credentialId: null, email: null, userKey: null });

const NO_CREDENTIAL: Verified = Object.freeze({ ok: false, reason: 'missing' });

export async function identify(
  creds: ProxyCredentials, header: string | undefined, unidentified: '407' | 'block' | 'anonymous', passes?: IsolationPasses,
  bySource?: { bindings: SourceIpBindings; ip: string },
): Promise<Identified> {
  // A remote browser's pass: its user, and traffic already isolated (never isolated again).
  const basic = header ? parseBasic(header) : null;
  if (basic && IsolationPasses.owns(basic.id)) {
    const p = passes ? await passes.verify(basic.id, basic.secret) : { ok: false as const, reason: 'unknown' as const };
    if (!p.ok) return { ok: false, status: 407, why: WHY[p.reason], reason: p.reason };
    const who = { identity: p.identity, directory: p.directory, fromIsolation: true };
    return { ok: true, who, credentialId: basic.id, email: p.identity.email, userKey: p.identity.userKey };
  }
  // No credential at all: a trusted network's address bound at sign-in may name the user.
  if (header === undefined && bySource) {
    const bound = await bySource.bindings.who(bySource.ip);
    if (bound) return { ok: true, who: bound.who, credentialId: `ip:${bySource.ip}`, email: bound.email, userKey: bound.userKey };
  }
  // No header: nothing to look up (verify would answer `missing` too), so no promise per request.
  const v: Verified = header === undefined ? NO_CREDENTIAL : await creds.verify(header);
  if (v.ok) {
    return { ok: true, who: { identity: v.identity, directory: v.directory }, credentialId: v.credential.id, email: v.identity.email, userKey: v.identity.userKey };
  }
  if (v.reason === 'missing' && unidentified === 'anonymous') return ANONYMOUS;
  if (v.reason === 'missing' && unidentified === 'block') return { ok: false, status: 403, why: 'This proxy does not serve unidentified traffic.', reason: v.reason };
  return { ok: false, status: 407, why: WHY[v.reason], reason: v.reason };
}
