// The auth host's `/gateway/…` pages: "connect this device" (create, list and revoke proxy
// credentials), the per-user PAC file and the root CA certificate download. A thin adapter over
// ProxyCredentials. POSTs are CSRF-safe: same-origin (Origin or Sec-Fetch-Site) and a token bound
// to the signed-in session. Opening the devices page without a session signs the user in there.
import { hash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthHostMount } from '../../access/context.ts';
import { readCookie } from '../../access/cookies.ts';
import { sendDenyPage } from '../../access/deny-page.ts';
import { redirect } from '../../access/request-info.ts';
import { AUTH_COOKIE } from '../../access/runtime.ts';
import { readBody } from '../../directory/http/read-body.ts';
import type { SessionService } from '../../identity/sessions.ts';
import type { SessionRecord } from '../../store/ports.ts';
import type { ProxyCredentials } from '../credentials.ts';
import { pacFile } from '../pac.ts';
import { devicesPage, createdPage } from './devices-page.ts';

export interface DevicesMountDeps {
  credentials: ProxyCredentials;
  sessions: Pick<SessionService, 'resolve'>;
  /** The auth origin and the proxy address clients use (host:port). */
  config(): { authOrigin: string; proxyAddress: string };
  /** PEM of the root CA, or null while TLS inspection is off. */
  caCertificate(): string | null;
}

export function csrfToken(session: SessionRecord): string {
  return hash('sha256', `moatless-gateway-csrf:${session.id}`, 'hex').slice(0, 32);
}

function sameOrigin(req: IncomingMessage, authOrigin: string): boolean {
  const origin = req.headers.origin;
  if (origin !== undefined) return origin === authOrigin;
  return req.headers['sec-fetch-site'] === 'same-origin';
}

function html(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-frame-options': 'DENY',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  });
  res.end(body);
}

export function devicesMount(d: DevicesMountDeps): AuthHostMount {
  const session = async (req: IncomingMessage) => {
    const secret = readCookie(req.headers.cookie, AUTH_COOKIE);
    return secret ? d.sessions.resolve(secret, { kind: 'global' }) : null;
  };
  return {
    prefix: '/gateway',
    async handle(req, res, requestId) {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const { authOrigin, proxyAddress } = d.config();
      const fail = (status: number, title: string, message: string) => sendDenyPage(res, { status, title, message, requestId }, false);
      if (req.method === 'GET' && path === '/gateway/ca.crt') {
        const pem = d.caCertificate();
        if (!pem) return fail(404, 'No CA', 'TLS inspection is off, so there is no certificate to install.');
        res.writeHead(200, { 'content-type': 'application/x-x509-ca-cert', 'content-disposition': 'attachment; filename="moatless-gateway-ca.crt"' });
        return void res.end(pem);
      }
      const pac = /^\/gateway\/pac\/(gw_[0-9a-f]{16})\.pac$/.exec(path);
      if (req.method === 'GET' && pac) {
        // PAC fetchers send no cookies; the file holds no secret, only where the proxy is.
        const c = await d.credentials.verifyId(pac[1]!);
        if (!c) return fail(404, 'Not found', 'No such device.');
        res.writeHead(200, { 'content-type': 'application/x-ns-proxy-autoconfig', 'cache-control': 'no-store' });
        return void res.end(pacFile(proxyAddress, new URL(authOrigin).hostname, c.email));
      }
      if (path !== '/gateway/devices' && path !== '/gateway/devices/revoke') return fail(404, 'Not found', 'There is nothing at this address.');
      const s = await session(req);
      // Not signed in: the page itself starts Access's normal sign-in on the auth host and comes
      // back here. The return address is this fixed page on the auth origin — nothing from the
      // request goes into it, so it cannot be turned into an open redirect.
      if (!s && req.method === 'GET' && path === '/gateway/devices') {
        return redirect(res, `/oauth2/start?rd=${encodeURIComponent(`${authOrigin}/gateway/devices`)}`, [], requestId);
      }
      if (!s) return fail(401, 'Sign in first', 'Open /gateway/devices on this site to sign in, then send the form again.');
      if (req.method === 'GET' && path === '/gateway/devices') {
        return html(res, 200, devicesPage({ email: s.email, csrf: csrfToken(s), devices: await d.credentials.list(s.userKey), authOrigin, proxyAddress, hasCa: d.caCertificate() !== null }));
      }
      if (req.method !== 'POST') return fail(405, 'Method not allowed', 'Use the form on /gateway/devices.');
      if (!sameOrigin(req, authOrigin)) return fail(403, 'Refused', 'This form must be sent from the Moatless sign-in site.');
      let form: URLSearchParams;
      try {
        form = new URLSearchParams((await readBody(req, 4096)).toString('utf8'));
      } catch {
        return fail(413, 'Too large', 'The form is too large.');
      }
      if (form.get('csrf') !== csrfToken(s)) return fail(403, 'Refused', 'The form expired; reload the page and try again.');
      if (path === '/gateway/devices/revoke') {
        await d.credentials.revoke(form.get('id') ?? '', s.userKey);
        res.writeHead(303, { location: '/gateway/devices', 'cache-control': 'no-store' });
        return void res.end();
      }
      const created = await d.credentials.create(s, (form.get('label') ?? '').trim());
      return html(res, 201, createdPage({ ...created, authOrigin, proxyAddress }));
    },
  };
}

/** The isolation viewer's place on the auth host until src/isolation mounts the real one. */
export function browserPlaceholderMount(): AuthHostMount {
  return {
    prefix: '/browser',
    async handle(req, res, requestId) {
      const target = (req.url ?? '/browser/').slice('/browser/'.length);
      sendDenyPage(res, {
        status: 503, title: 'Isolated browsing is not available yet',
        message: `Your organisation's policy opens ${target || 'this site'} only in an isolated browser, which is not available on this server yet.`,
        requestId,
      }, false);
    },
  };
}
