// What an access decision produced for one request, and what follows from it wherever a request is
// decided (HTTP, WebSocket upgrades, the auth host's pre-hand-off check): whether it goes on to the
// origin, and its access-log entry. One definition each, so the paths cannot drift apart.
import type { Identity } from '../identity/identity.ts';
import type { Session } from '../identity/sessions.ts';
import { formatReason } from '../policy/reasons.ts';
import type { Decision, DirectoryFacts } from '../policy/types.ts';
import type { AccessLogEntry } from '../store/ports.ts';
import type { RequestInfo } from './request-info.ts';

export interface Admission {
  decision: Decision;
  session: Session | null;
  identity: Identity | undefined;
  /** Name of a verified service token sent with the request, or null. */
  serviceToken: string | null;
  /** The user's live directory facts the decision used (read once per request). */
  directory?: DirectoryFacts | undefined;
}

/** Whether a decision sends the request on to the origin. */
export function forwards(action: Decision['action']): boolean {
  return action === 'allow' || action === 'bypass' || action === 'service_auth';
}

/** Who made the request, as far as the access log is concerned. */
export interface Requester {
  identity?: Identity | undefined;
  serviceToken?: string | null;
}

/**
 * The access-log entry for one decision. `host`, `path`, `method` are what was asked for; `status`
 * is what the client was finally given. Positional, to add no object per request beyond the entry.
 */
export function accessLogEntry(
  info: RequestInfo, appId: string, host: string, path: string, method: string,
  d: Decision, who: Requester, status: number, now: number,
): AccessLogEntry {
  return {
    time: info.started, requestId: info.id,
    userKey: who.identity?.userKey ?? (who.serviceToken ? `service:${who.serviceToken}` : null),
    email: who.identity?.email ?? null,
    appId, host, path, method, action: d.action, policy: d.policy?.name ?? null,
    reasons: d.reasons.map(formatReason), status, durationMs: now - info.started, clientIp: info.clientIp,
  };
}
