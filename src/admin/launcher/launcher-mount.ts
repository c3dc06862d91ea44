// The app launcher at `https://<auth host>/` and its one form, POST /me/sessions/revoke. Owns:
// reading the global session, the CSRF rule (Origin equal to the auth origin and a token derived
// from the session cookie, on top of SameSite=Lax) and that users revoke only their own sessions.
// Must not: answer for another user's session (it is "not found"), or render without the CSP.
// Mounted with prefix '/', which the auth host matches only for the exact path '/'.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthHostMount, DirectoryFactsSource } from '../../access/context.ts';
import { readCookie } from '../../access/cookies.ts';
import { sendDenyPage } from '../../access/deny-page.ts';
import type { AccessRuntime } from '../../access/runtime.ts';
import type { SessionService } from '../../identity/sessions.ts';
import type { Session } from '../../identity/sessions.ts';
import type { Store } from '../../store/ports.ts';
import { BodyTooLarge, readBody } from '../../directory/http/read-body.ts';
import { LAUNCHER_CSP, renderLauncher } from './launcher-page.ts';
import { visibleApps } from './visible-apps.ts';

export const REVOKE_PATH = '/me/sessions/revoke';

export interface LauncherDeps {
  store: Pick<Store, 'sessions'>;
  sessions: SessionService;
  runtime: () => AccessRuntime;
  directoryFacts?: DirectoryFactsSource;
  now: () => number;
}

/** A per-sign-in CSRF token: only someone holding the session cookie can compute it. */
export const csrfToken = (cookieSecret: string): string => createHash('sha256').update(`moatless-launcher-csrf\0${cookieSecret}`).digest('base64url');

export function launcherMounts(deps: LauncherDeps): AuthHostMount[] {
  async function signedIn(rt: AccessRuntime, req: IncomingMessage): Promise<{ secret: string; session: Session } | null> {
    const secret = readCookie(req.headers.cookie, rt.authCookieName);
    const session = secret ? await deps.sessions.resolve(secret, { kind: 'global' }) : null;
    return secret && session ? { secret, session } : null;
  }

  const page: AuthHostMount = {
    prefix: '/',
    async handle(req, res, requestId) {
      const rt = deps.runtime();
      if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, 'Method not allowed', 'This address only answers GET.', requestId);
      const me = await signedIn(rt, req);
      if (!me) {
        return sendDenyPage(res, { status: 200, title: 'Moatless', message: 'Not signed in. Open an application to continue.', requestId }, false);
      }
      const identity = me.session.identity;
      const directory = deps.directoryFacts ? await deps.directoryFacts(identity.email) : undefined;
      const clientIp = rt.trusted.clientIp(req.socket.remoteAddress ?? '', headerText(req, 'x-forwarded-for'));
      const apps = visibleApps(rt, identity, directory, clientIp, deps.now());
      const sessions = (await deps.store.sessions.listActive({ userKey: identity.userKey, limit: 100, offset: 0 }, deps.now())).items;
      const body = renderLauncher({ identity, apps, sessions, currentSessionId: me.session.id, csrf: csrfToken(me.secret) });
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store',
        'content-security-policy': LAUNCHER_CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'moatless-request-id': requestId,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
  };

  const revoke: AuthHostMount = {
    prefix: '/me',
    async handle(req, res, requestId) {
      const rt = deps.runtime();
      const path = new URL(req.url ?? '/', 'http://x.invalid').pathname;
      if (path !== REVOKE_PATH) return fail(res, 404, 'Not found', 'There is nothing at this address.', requestId);
      if (req.method !== 'POST') return fail(res, 405, 'Method not allowed', 'Use the Revoke button on your apps page.', requestId);
      if (req.headers.origin !== rt.authOrigin) return fail(res, 403, 'Refused', 'This form must be sent from your Moatless apps page.', requestId);
      const me = await signedIn(rt, req);
      if (!me) return fail(res, 401, 'Not signed in', 'Sign in again, then retry.', requestId);
      let form: URLSearchParams;
      try {
        form = new URLSearchParams((await readBody(req, 4096)).toString('utf8'));
      } catch (err) {
        if (err instanceof BodyTooLarge) return fail(res, 413, 'Bad request', 'The form is too large.', requestId);
        throw err;
      }
      const given = Buffer.from(form.get('csrf') ?? '');
      const expected = Buffer.from(csrfToken(me.secret));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return fail(res, 403, 'Refused', 'The form has expired. Reload your apps page and try again.', requestId);
      const target = await deps.sessions.resolveById(form.get('session') ?? '');
      const identity = me.session.identity;
      if (!target || target.userKey !== identity.userKey) return fail(res, 404, 'Not found', 'That session does not exist or has already ended.', requestId);
      await deps.sessions.revokeFamily(target.id, 'user:self-service');
      res.writeHead(303, { location: '/', 'cache-control': 'no-store', 'content-length': '0', 'moatless-request-id': requestId });
      res.end();
    },
  };
  return [page, revoke];
}

function headerText(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}

function fail(res: ServerResponse, status: number, title: string, message: string, requestId: string): void {
  sendDenyPage(res, { status, title, message, requestId }, false);
}
