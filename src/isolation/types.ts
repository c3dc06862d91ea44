// Shapes shared inside the isolation capability: what the server tells a viewer, what is audited,
// and the ports the session manager is given (navigation policy, audit sink).
import type { IsolationControls } from '../config/schema/isolation.ts';

export interface TabInfo { id: string; title: string; url: string }

/** Server → viewer, as JSON text. Frames travel separately as binary messages. */
export type ViewerEvent =
  | { t: 'hello'; user: string; reason: string; controls: IsolationControls }
  | { t: 'state'; tabs: TabInfo[]; active: string | null }
  | { t: 'dialog'; kind: string; message: string; prompt: string }
  | { t: 'select'; options: { label: string; disabled: boolean }[]; selected: number }
  | { t: 'cursor'; v: string }
  | { t: 'notice'; text: string }
  | { t: 'clipboard'; s: string }
  | { t: 'filechooser'; multiple: boolean }
  | { t: 'download'; name: string; href: string }
  | { t: 'crashed'; scope: 'browser' | 'tab' }
  /** `direct`: no policy isolates the user there any more; the viewer opens it directly. */
  | { t: 'ended'; reason: string; direct?: string }
  | { t: 'error'; message: string };

export type AuditKind = 'session-start' | 'session-end' | 'navigate' | 'navigation-blocked' | 'copy' | 'copy-blocked'
  | 'paste' | 'paste-blocked' | 'download' | 'download-blocked' | 'upload' | 'upload-blocked' | 'print' | 'print-blocked';

export interface AuditEvent {
  time: number;
  kind: AuditKind;
  user: string;
  sessionId: string;
  /** Why the session is isolated (the policy that isolated it, or "clientless"). */
  policy: string;
  url?: string;
  detail?: string;
}

export interface IsolationAudit {
  record(e: AuditEvent): void;
}

/** Why a session is isolated: the policy (name, for the audit), the notice shown, and its controls. */
export interface IsolationReason {
  controls: IsolationControls;
  policy: string;
  /** "policy "X" because …", shown in the viewer's notice. */
  notice: string;
  /** false for clientless isolation (`/browser/<URL>` opened with no policy isolating it). */
  byPolicy: boolean;
}

export interface NavigationVerdict {
  allow: boolean;
  reason?: string;
  /** Allowed, but no policy isolates this URL for the user any more: a policy-isolated session ends there. */
  direct?: boolean;
  /** The policy that isolates this URL, when one does: the session's controls tighten to it. */
  isolation?: IsolationReason;
}

/** The remote browser's way out through the Gateway, as its user: the proxy and a per-session credential. */
export interface EgressGrant {
  proxy: string;
  username: string;
  password: string;
  release(): void;
}
/** May be asynchronous: the Gateway stores the credential before the browser uses it. */
export type EgressSource = (user: { email: string; userKey: string; globalSessionId: string }) => EgressGrant | null | Promise<EgressGrant | null>;

/** A cookie set in the remote browser before its first page (the auth host's sign-in, so Access apps open). */
export interface RemoteCookie { name: string; value: string; url: string; httpOnly?: boolean }

/**
 * Every navigation of the remote browser (address bar, links, redirects, popups) is asked here.
 * The Gateway supplies its policy check; the default allows http(s) only.
 */
export type NavigationCheck = (user: { email: string; userKey: string; globalSessionId: string }, url: URL) => Promise<NavigationVerdict>;
