// The remote browser is signed in as its user: a sign-in (global session) of its own, derived from
// the user's, whose cookie is set on the auth host in the throwaway profile. Access apps opened in
// the remote browser then pass single sign-on instead of asking the user to sign in again (the
// emulator or IdP may not even be reachable from there). It ends with the isolation session, and
// the user's logout or revocation ends the isolation session first. Must not: outlive the user's
// own sign-in (same expiry).
import { AUTH_COOKIE } from '../access/runtime.ts';
import type { SessionService } from '../identity/sessions.ts';
import type { RemoteSignIn } from './manager.ts';

export function remoteSignIn(d: { sessions: SessionService; authUrl: () => string; now?: () => number }): RemoteSignIn {
  const now = d.now ?? Date.now;
  return async (user) => {
    const parent = await d.sessions.resolveById(user.globalSessionId);
    if (!parent || parent.kind !== 'global' || parent.userKey !== user.userKey) return null;
    const child = await d.sessions.createGlobal({
      identity: parent.identity, durationMs: parent.expiresAt - now(), ip: null, userAgent: 'Moatless isolated browser',
    });
    return {
      cookies: [{ name: AUTH_COOKIE, value: child.secret, url: d.authUrl(), httpOnly: true }],
      release: () => d.sessions.revokeFamily(child.record.id, 'isolation session ended'),
    };
  };
}
