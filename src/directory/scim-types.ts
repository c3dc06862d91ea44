// The plain request/response shapes of the SCIM service and what it depends on. Owns: types only.
// Must not: import an HTTP framework — the adapter in ./http/ builds these from node:http objects.
import type { Logger } from 'pino';
import type { SessionService } from '../identity/sessions.ts';
import type { Store } from '../store/ports.ts';

/** Per-request tenant context: the bearer token decided the directory (never a shared object). */
export interface ScimContext {
  directoryId: string;
  /** `https://<auth host>/scim/v2`, for meta.location and Location headers. */
  baseUrl: string;
  now: number;
}

export interface ScimRequest {
  method: string;
  /** Path below the SCIM base, e.g. `/Users/abc` (case and trailing slash as sent). */
  path: string;
  query: URLSearchParams;
  headers: { ifMatch?: string };
  /** Parsed JSON body, or undefined when there was none. */
  body: unknown;
}

/** What the provisioning log records about a request (never the body). */
export interface ScimAudit {
  operation: string;
  resourceType: 'User' | 'Group' | null;
  resourceId: string | null;
  externalId: string | null;
}

export interface ScimResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
  audit?: ScimAudit;
}

/** The re-authentication hook of src/identity/group-change.ts, by its signature only. */
/** The identity capability's re-authentication hook, as SCIM uses it: one call per change. */
export interface GroupChangeHook {
  onMembershipsChanged(users: readonly { email: string; userKey?: string; idp?: string }[]): Promise<unknown>;
}

export interface ScimServiceDeps {
  store: Store;
  sessions: SessionService;
  groupChange?: GroupChangeHook;
  logger?: Pick<Logger, 'warn' | 'error'>;
}
