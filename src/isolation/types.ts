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
  | { t: 'ended'; reason: string }
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

/**
 * Every navigation of the remote browser (address bar, links, redirects, popups) is asked here.
 * The Gateway supplies its policy check; the default allows http(s) only.
 */
export type NavigationCheck = (user: { email: string; userKey: string }, url: URL) => Promise<{ allow: boolean; reason?: string }>;
