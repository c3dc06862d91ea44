// The isolation viewer on the auth host: `/browser/<URL>` serves the static viewer page to signed-in
// users (a strict CSP: only its own inline script and style, by hash), `/isolation/*` serves its
// assets, its WebSocket (global session cookie, Origin must be the auth origin) and one-time
// downloads. Must not: start a session past capacity, or serve anything from the isolated site
// except through the session's controls.
import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type RawData } from 'ws';
import type { AuthHostMount } from '../../access/context.ts';
import { readCookie } from '../../access/cookies.ts';
import { sendDenyPage } from '../../access/deny-page.ts';
import { redirect } from '../../access/request-info.ts';
import { AUTH_COOKIE } from '../../access/runtime.ts';
import type { ResolvedConfig } from '../../config/load.ts';
import type { SessionService } from '../../identity/sessions.ts';
import type { SessionRecord } from '../../store/ports.ts';
import { CapacityError, type SessionManager } from '../manager.ts';
import { RunAsError } from '../run-as.ts';
import { normalizeUrl } from '../session.ts';
import type { ViewerOwners } from './viewer-owners.ts';
import { viewerPage, VIEWER_CSP, VIEWER_SCRIPT, VIEWER_STYLE } from './viewer-page.ts';

export const BROWSER_PREFIX = '/browser';
export const ASSET_PREFIX = '/isolation';
/** Viewer messages held while its session starts (a viewer sends one, its size). */
const MAX_EARLY_MESSAGES = 20;

export interface ViewerMountDeps {
  manager: SessionManager;
  sessions: SessionService;
  config: () => ResolvedConfig;
  logger: Logger;
  /** Cluster workers: a user's viewer and downloads go to the worker holding their browser. */
  owners?: ViewerOwners | undefined;
}

/** The viewer page inlines these; still served for pages loaded before it did. */
const ASSETS: Record<string, { type: string; body: Buffer }> = {
  '/isolation/viewer.js': { type: 'text/javascript; charset=utf-8', body: Buffer.from(VIEWER_SCRIPT) },
  '/isolation/viewer.css': { type: 'text/css; charset=utf-8', body: Buffer.from(VIEWER_STYLE) },
};

/** `/browser/<URL>` → the URL to open (null for the landing page); undefined when unusable. */
export function targetOf(rawUrl: string): string | null | undefined {
  const rest = rawUrl.slice(BROWSER_PREFIX.length + 1);
  if (rest === '' || rest === '/') return null;
  return normalizeUrl(rest) ?? undefined;
}

export function viewerMounts(d: ViewerMountDeps): AuthHostMount[] {
  const authOrigin = () => new URL(d.config().server.authUrl).origin;
  const deny = (res: ServerResponse, id: string, status: number, title: string, message: string) =>
    sendDenyPage(res, { status, title, message, requestId: id, signOutUrl: `${authOrigin()}/logout` }, false);
  const globalSession = async (req: IncomingMessage): Promise<SessionRecord | null> => {
    const secret = readCookie(req.headers.cookie, AUTH_COOKIE);
    return secret ? d.sessions.resolve(secret, { kind: 'global' }) : null;
  };
  const wss = new WebSocketServer({ noServer: true, maxPayload: d.config().isolation.limits.maxMessageBytes, perMessageDeflate: false });

  const browser: AuthHostMount = {
    prefix: BROWSER_PREFIX,
    opaquePath: true,
    async handle(req, res, id) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, id, 405, 'Method not allowed', 'This address only answers GET.');
      const cfg = d.config().isolation;
      const target = targetOf(req.url ?? '');
      if (target === undefined) return deny(res, id, 400, 'Not a web address', 'Only http:// and https:// addresses can be opened in the isolated browser.');
      const g = await globalSession(req);
      // Not signed in: sign in on the auth host, which returns here (to this same auth-origin page).
      if (!g) return redirect(res, signInUrl(authOrigin(), req.url ?? BROWSER_PREFIX), [], id);
      if (!cfg.enabled) return deny(res, id, 503, 'Isolation is off', 'This site must be opened in the isolated browser, which is not enabled here. It was not opened.');
      if (!(await (d.owners?.admits(g.userKey) ?? d.manager.admits(g.userKey)))) {
        return deny(res, id, 503, 'Isolation capacity reached', 'Every isolated browser on this server is in use. The site was not opened; try again in a few minutes.');
      }
      // A user's own top-level navigation (never a subresource, a prefetch or HEAD): their remote
      // browser is taken from the pool (or started) and opens the site while this page, its script
      // and its WebSocket load, so the first frame does not wait for them. A session already
      // running is left alone (the WebSocket opens the site there); its failures are the
      // WebSocket's to report. Workers that relay viewers to each other start it there instead.
      if (target && req.method === 'GET' && topLevelNavigation(req) && !d.owners && !d.manager.find(g.userKey)) {
        const user = { email: g.email, userKey: g.userKey, globalSessionId: g.id };
        d.manager.sessionFor(user, target).then((s) => s.prestart(target), () => {});
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': VIEWER_CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
      res.end(req.method === 'HEAD' ? undefined : viewerPage());
    },
  };

  const assets: AuthHostMount = {
    prefix: ASSET_PREFIX,
    async handle(req, res, id) {
      const path = (req.url ?? '').split('?')[0]!;
      const asset = ASSETS[path];
      if (asset) {
        res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
        return void res.end(asset.body);
      }
      await download(req, res, id, path, false);
    },
    upgrade(req, socket, head) {
      void upgrade(req, socket, head, false).catch((err: unknown) => {
        d.logger.error({ err }, 'isolation viewer upgrade failed');
        refuse(socket, 503, 'Service Unavailable');
      });
    },
    async close() {
      wss.close();
      await d.owners?.close();
      await d.manager.close();
    },
  };

  // Relayed from another worker (viewer-owners.ts): served here, never relayed again.
  const relayListening = d.owners?.listen({
    upgrade: (req, socket, head) => void upgrade(req, socket, head, true).catch((err: unknown) => {
      d.logger.error({ err }, 'isolation viewer upgrade (relayed) failed');
      refuse(socket, 503, 'Service Unavailable');
    }),
    request: (req, res) => void download(req, res, 'relayed', (req.url ?? '').split('?')[0]!, true),
  });
  relayListening?.catch((err: unknown) => d.logger.error({ err }, 'isolation: the relay listener for other workers failed to start'));

  async function download(req: IncomingMessage, res: ServerResponse, id: string, path: string, relayed: boolean): Promise<void> {
    const m = /^\/isolation\/download\/([A-Za-z0-9_-]{32})$/.exec(path);
    if (!m) return deny(res, id, 404, 'Not found', 'There is nothing at this address.');
    const g = await globalSession(req);
    if (g && d.owners && !relayed && !d.manager.find(g.userKey) && await d.owners.relayDownload(g.userKey, req, res)) return;
    const offer = g ? d.manager.find(g.userKey)?.remote?.transfers.takeOffer(m[1]!) : null;
    if (!offer) return deny(res, id, 404, 'Download not available', 'This download link was used already, has ended with its session, or belongs to someone else.');
      res.writeHead(200, {
        'content-type': 'application/octet-stream', 'content-length': String(statSync(offer.path).size), 'cache-control': 'no-store',
        'content-disposition': `attachment; filename="${offer.name.replace(/[^\x20-\x7e]|"/g, '_')}"`, 'x-content-type-options': 'nosniff',
      });
    createReadStream(offer.path).pipe(res);
  }

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, relayed: boolean): Promise<void> {
    const url = new URL(req.url ?? '/', authOrigin());
    if (url.pathname !== '/isolation/ws') return refuse(socket, 404, 'Not Found');
    // Cross-site WebSocket hijacking: the cookie is sent from any page, the Origin tells whose page.
    if (req.headers.origin !== authOrigin()) return refuse(socket, 403, 'Forbidden');
    const g = await globalSession(req);
    if (!g) return refuse(socket, 401, 'Unauthorized');
    if (!d.config().isolation.enabled) return refuse(socket, 503, 'Service Unavailable');
    // Another process holds (or is given) this user's browser: the viewer is relayed there (one
    // browser per user). Relayed here: only if the store names this process as the holder.
    const routed = !d.owners ? 'local' : relayed ? (await d.owners.acceptRelayed(g.userKey) ? 'local' : 'held elsewhere')
      : await d.owners.route(g.userKey, req, socket, head);
    if (routed === 'relayed') return;
    if (routed === 'held elsewhere') return refuse(socket, 409, 'Conflict');
    // No room anywhere (here, or on any worker): refused, never opened unisolated.
    if (routed === 'none' || !d.manager.admits(g.userKey)) return refuse(socket, 503, 'Service Unavailable');
    const raw = url.searchParams.get('url');
    const target = raw ? normalizeUrl(raw) : null;
    wss.handleUpgrade(req, socket, head, (ws) => {
      const user = { email: g.email, userKey: g.userKey, globalSessionId: g.id };
      // The viewer speaks first (its size) while the remote browser may still be starting: held
      // (a few at most) and handed to the session once it is attached, not dropped.
      const early: Array<[RawData, boolean]> = [];
      const hold = (data: RawData, isBinary: boolean) => {
        if (early.push([data, isBinary]) > MAX_EARLY_MESSAGES) ws.close(1008, 'too many messages before the session started');
      };
      ws.on('message', hold);
      d.manager.sessionFor(user, target).then((s) => {
        ws.off('message', hold);
        if (ws.readyState !== ws.OPEN) return;
        s.attach(ws, target);
        for (const [data, isBinary] of early) ws.emit('message', data, isBinary);
      }, (err: unknown) => {
        // A missing isolation account says what to run (run-as.ts); other failures stay generic.
        const message = err instanceof CapacityError ? 'Isolation capacity reached: the site was not opened.'
          : err instanceof RunAsError ? `The isolated browser could not be started: ${err.message}. The site was not opened.`
            : 'The isolated browser could not be started.';
        if (!(err instanceof CapacityError)) d.logger.error({ err }, 'isolation session failed to start');
        ws.send(JSON.stringify({ t: 'error', message }));
        ws.close(4003, 'not started');
      });
    });
  }

  return [browser, assets];
}

/**
 * A page load the user made: `Sec-Fetch-Dest: document` (browsers send it to secure origins only,
 * so on plain http an HTML Accept without it counts), and not a speculative prefetch.
 */
function topLevelNavigation(req: IncomingMessage): boolean {
  if (req.headers['sec-purpose'] !== undefined || req.headers.purpose !== undefined) return false;
  const dest = req.headers['sec-fetch-dest'];
  return dest === 'document' || (dest === undefined && /\btext\/html\b/.test(req.headers.accept ?? ''));
}

/** The auth host's sign-in, returning to the viewer at `path` (always on the auth origin). */
export function signInUrl(authOrigin: string, path: string): string {
  const u = new URL('/oauth2/start', authOrigin);
  u.searchParams.set('rd', authOrigin + path);
  return u.href;
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
}
