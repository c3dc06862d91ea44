// Per-request facts about the connection: id, client address, scheme, country — with forwarded
// headers believed only from trusted proxies.
import { randomBytes } from 'node:crypto';
import type { AccessReply, AccessRequest } from './http-types.ts';
import type { AccessRuntime } from './runtime.ts';

const PROCESS_TAG = randomBytes(4).toString('hex');
let counter = 0;

/** Unique per process and request, cheap to make; quoted on deny pages and in logs. */
export function newRequestId(): string {
  counter = (counter + 1) % 0x1_0000_0000;
  return `${PROCESS_TAG}-${counter.toString(16).padStart(8, '0')}`;
}

export interface RequestInfo {
  id: string;
  started: number;
  peer: string;
  peerTrusted: boolean;
  clientIp: string;
  proto: 'http' | 'https';
  country: string | undefined;
  /** The X-Forwarded-For chain we received from a trusted proxy, to extend rather than replace. */
  priorForwardedFor: string | null;
  wantsJson: boolean;
}

export function requestInfo(rt: AccessRuntime, req: AccessRequest, started: number): RequestInfo {
  const peer = req.socket.remoteAddress ?? '';
  const peerTrusted = rt.trusted.isTrusted(peer);
  const xff = req.headers['x-forwarded-for'];
  const xffText = typeof xff === 'string' ? xff : undefined;
  const encrypted = req.socket.encrypted === true;
  const xfp = peerTrusted ? String(req.headers['x-forwarded-proto'] ?? '').toLowerCase() : '';
  const countryRaw = peerTrusted ? req.headers[rt.config.server.countryHeader] : undefined;
  const country = typeof countryRaw === 'string' && /^[A-Za-z]{2}$/.test(countryRaw) ? countryRaw.toUpperCase() : undefined;
  const xrw = req.headers['x-requested-with'];
  const accept = req.headers.accept ?? '';
  return {
    id: newRequestId(), started, peer, peerTrusted,
    clientIp: rt.trusted.clientIp(peer, xffText),
    proto: encrypted || xfp === 'https' ? 'https' : 'http',
    country,
    priorForwardedFor: peerTrusted && xffText ? xffText : null,
    wantsJson: (typeof xrw === 'string' && xrw.toLowerCase() === 'xmlhttprequest') || (accept.includes('application/json') && !accept.includes('text/html')),
  };
}

/**
 * Logout by GET must come from a navigation, not from an <img> or a script on another site
 * (a forced sign-out). Browsers say which through Fetch Metadata; old ones send nothing.
 */
export function isNavigationOrUnknown(req: Pick<AccessRequest, 'headers'>): boolean {
  const dest = req.headers['sec-fetch-dest'];
  if (dest === undefined) return true;
  return dest === 'document' || (req.headers['sec-fetch-site'] === 'same-origin');
}

/** 303 after the sign-in callback: the browser leaves the URL carrying the authorization code. */
export function redirect(
  res: AccessReply, location: string, cookies: string[] = [], requestId?: string, status: 302 | 303 = 302,
): void {
  const headers: Record<string, string | string[]> = { location, 'cache-control': 'no-store', 'content-length': '0' };
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  if (requestId) headers['moatless-request-id'] = requestId;
  res.writeHead(status, headers);
  res.end();
}
