// Who is calling the admin API, and what they may do. Owns: bearer-token and session-cookie
// authentication, the admin/auditor role from groups, and the CSRF rule for cookie callers. Must
// not: fall back from a bad bearer token to the cookie (a wrong token is a 401, full stop).
import type { IncomingMessage } from 'node:http';
import type { DirectoryFactsSource } from '../../access/context.ts';
import { readCookie } from '../../access/cookies.ts';
import { AUTH_COOKIE } from '../../access/runtime.ts';
import type { AdminConfig } from '../../config/schema/admin.ts';
import type { Identity } from '../../identity/identity.ts';
import type { SessionService } from '../../identity/sessions.ts';
import type { Store } from '../../store/ports.ts';
import { verifyAdminToken } from '../api-tokens.ts';
import { ApiError } from './errors.ts';

export type Principal =
  | { kind: 'token'; tokenId: string; name: string; canWrite: boolean; actor: string; expiresAt: number }
  | { kind: 'user'; email: string; userKey: string; sessionId: string; role: 'admin' | 'auditor'; canWrite: boolean; actor: string };

export interface PrincipalDeps {
  store: Pick<Store, 'admin'>;
  sessions: SessionService;
  directoryFacts?: DirectoryFactsSource;
  admin: () => AdminConfig;
  now: () => number;
}

const challenge = { 'www-authenticate': 'Bearer realm="moatless-admin"' };

export async function authenticate(deps: PrincipalDeps, req: IncomingMessage): Promise<Principal> {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    const t = m ? await verifyAdminToken(deps.store, m[1]!, deps.now()) : null;
    if (!t) throw new ApiError('unauthenticated', 'the API token is unknown, expired or revoked', [], challenge);
    return { kind: 'token', tokenId: t.id, name: t.name, canWrite: t.scope === 'write', actor: `token:${t.name}`, expiresAt: t.expiresAt };
  }
  const secret = readCookie(req.headers.cookie, AUTH_COOKIE);
  const session = secret ? await deps.sessions.resolve(secret, { kind: 'global' }) : null;
  if (!session) throw new ApiError('unauthenticated', 'sign in on the auth host or send an API token (Authorization: Bearer …)', [], challenge);
  const identity = session.identity;
  const role = await roleOf(deps, identity);
  if (!role) throw new ApiError('forbidden', `${identity.email} is not in an admin or auditor group (admin.adminGroups, admin.auditorGroups)`);
  return { kind: 'user', email: identity.email, userKey: identity.userKey, sessionId: session.id, role, canWrite: role === 'admin', actor: `user:${identity.email}` };
}

/** Group names and ids from the sign-in, plus live directory groups (SCIM), matched case-insensitively. */
export async function roleOf(deps: PrincipalDeps, identity: Identity): Promise<'admin' | 'auditor' | null> {
  const cfg = deps.admin();
  const directory = deps.directoryFacts ? await deps.directoryFacts(identity.email) : undefined;
  if (directory && !directory.active) return null;
  const mine = new Set([...identity.groups, ...identity.groupNames, ...(directory?.groups ?? [])].map((g) => g.toLowerCase()));
  const inAny = (groups: readonly string[]) => groups.some((g) => mine.has(g.toLowerCase()));
  if (inAny(cfg.adminGroups)) return 'admin';
  if (inAny(cfg.auditorGroups)) return 'auditor';
  return null;
}

/**
 * Cookie callers' state-changing requests must come from the auth origin itself (the cookie is
 * also SameSite=Lax). Token callers are exempt: a browser never attaches a bearer token by itself.
 */
export function checkCsrf(who: Principal, req: IncomingMessage, authOrigin: string): void {
  if (who.kind !== 'user' || req.method === 'GET' || req.method === 'HEAD') return;
  const origin = req.headers.origin;
  if (origin !== authOrigin) {
    throw new ApiError('csrf_rejected', `state-changing calls with a session cookie must carry Origin: ${authOrigin}`);
  }
}
