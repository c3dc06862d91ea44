// The admin dashboard at https://<auth host>/admin/: the single-page app's HTML for admins and
// auditors, its hashed assets, a sign-in for visitors without a session, and a plain refusal for
// everyone else. Owns: the page gate, the CSP (no inline script) and cache headers. Must not:
// hold data — the app reads everything through /api/v1, which checks the caller again.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthHostMount } from '../../access/context.ts';
import { readCookie } from '../../access/cookies.ts';
import { sendDenyPage } from '../../access/deny-page.ts';
import { checkPath } from '../../access/request-guard.ts';
import { redirect } from '../../access/request-info.ts';
import { AUTH_COOKIE } from '../../access/runtime.ts';
import { roleOf, type PrincipalDeps } from '../api/principal.ts';
import { loadDashboardFiles, pickEncoding, type Asset, type DashboardFiles } from './assets.ts';
import { REFUSAL_CSP, renderRefusal } from './refusal-page.ts';

export const DASHBOARD_PREFIX = '/admin';

export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export interface DashboardDeps extends PrincipalDeps {
  authOrigin: () => string;
  /** The build folder (tests); default web/dashboard/dist. */
  dir?: string;
}

export function dashboardMount(deps: DashboardDeps): AuthHostMount {
  let files: DashboardFiles | null = null;
  return {
    prefix: DASHBOARD_PREFIX,
    async handle(req, res, requestId) {
      files ??= loadDashboardFiles(deps.dir);
      const url = new URL(req.url ?? '/', 'http://x.invalid');
      const path = url.pathname;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        return sendDenyPage(
          res,
          { status: 405, title: 'Method not allowed', message: 'The dashboard only answers GET.', requestId },
          false,
        );
      }
      if (path === DASHBOARD_PREFIX) return redirect(res, `${DASHBOARD_PREFIX}/`, [], requestId);
      if (path.startsWith(`${DASHBOARD_PREFIX}/assets/`)) {
        const asset = files.assets.get(path.slice(DASHBOARD_PREFIX.length + 1));
        if (!asset)
          return sendDenyPage(
            res,
            { status: 404, title: 'Not found', message: 'There is no such dashboard file.', requestId },
            false,
          );
        // Names carry a content hash: a new build has new names, so browsers may keep these forever.
        // Sent compressed when the browser takes it (brotli ~3.5× smaller), from bytes made at build.
        const { body, encoding } = pickEncoding(asset, req.headers['accept-encoding']);
        const headers: Record<string, string> = { 'cache-control': 'public, max-age=31536000, immutable', vary: 'accept-encoding' };
        if (encoding) headers['content-encoding'] = encoding;
        return send(req, res, { body, type: asset.type }, headers, requestId);
      }
      const secret = readCookie(req.headers.cookie, AUTH_COOKIE);
      const session = secret ? await deps.sessions.resolve(secret, { kind: 'global' }) : null;
      if (!session) {
        const back = checkPath(path) === null ? `${path}${url.search}` : `${DASHBOARD_PREFIX}/`;
        return redirect(res, `/oauth2/start?rd=${encodeURIComponent(deps.authOrigin() + back)}`, [], requestId);
      }
      const identity = session.identity;
      if (!(await roleOf(deps, identity))) {
        const body = Buffer.from(renderRefusal(identity.email, requestId));
        return send(
          req,
          res,
          { body, type: 'text/html; charset=utf-8' },
          { 'content-security-policy': REFUSAL_CSP, 'cache-control': 'no-store' },
          requestId,
          403,
        );
      }
      if (!files.index) {
        const message = 'The dashboard was not built. Run `npm run build:dashboard` (or reinstall the package).';
        return sendDenyPage(res, { status: 503, title: 'Dashboard unavailable', message, requestId }, false);
      }
      // Every other path is a screen of the single-page app: the same HTML, never cached.
      send(
        req,
        res,
        files.index,
        { 'content-security-policy': DASHBOARD_CSP, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
        requestId,
      );
    },
  };
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  a: Asset,
  headers: Record<string, string>,
  requestId: string,
  status = 200,
): void {
  res.writeHead(status, {
    ...headers,
    'content-type': a.type,
    'content-length': a.body.length,
    'x-content-type-options': 'nosniff',
    'moatless-request-id': requestId,
  });
  res.end(req.method === 'HEAD' ? undefined : a.body);
}
