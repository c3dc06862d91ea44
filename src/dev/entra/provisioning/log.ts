// The provisioning log (what Entra shows under "Provisioning logs"): one entry per SCIM request
// with its outcome, plus the per-cycle summary type. Owns the bounded in-memory record. Must not
// hold the bearer token or response bodies (a response may echo personal data back).

export type Operation =
  | 'probe-user' | 'create-user' | 'update-user' | 'disable-user'
  | 'probe-group' | 'create-group' | 'update-group' | 'add-members' | 'remove-members' | 'delete-group';

export interface LogEntry {
  /** ISO time the request was sent (the injected clock). */
  at: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path and query relative to the SCIM base URL, query decoded for reading: `/Users?filter=userName eq "a@b"`. */
  path: string;
  /** HTTP status; 0 when no response arrived. */
  status: number;
  operation: Operation;
  /** The emulator's object id the request is about. */
  objectId: string;
  /** The request body as sent (PatchOp or resource), absent for GET/DELETE. */
  body?: unknown;
  result: 'success' | 'failure';
  /** A ProvisioningError code when result is failure. */
  error?: string;
}

export type CycleKind = 'initial' | 'incremental' | 'on-demand';

export interface CycleSummary {
  kind: CycleKind;
  startedAt: string;
  finishedAt: string;
  created: number;
  updated: number;
  disabled: number;
  groupsCreated: number;
  groupsUpdated: number;
  groupsDeleted: number;
  membersAdded: number;
  membersRemoved: number;
  errors: number;
}

export function emptySummary(kind: CycleKind, startedAt: string): CycleSummary {
  return {
    kind, startedAt, finishedAt: startedAt,
    created: 0, updated: 0, disabled: 0, groupsCreated: 0, groupsUpdated: 0, groupsDeleted: 0,
    membersAdded: 0, membersRemoved: 0, errors: 0,
  };
}

export function formatSummary(s: CycleSummary): string {
  return `${s.kind} cycle: ${s.created} created, ${s.updated} updated, ${s.disabled} disabled, `
    + `${s.groupsCreated} groups created, ${s.groupsUpdated} groups updated, ${s.groupsDeleted} groups deleted, `
    + `${s.membersAdded} members added, ${s.membersRemoved} members removed, ${s.errors} errors`;
}

export class ProvisioningLog {
  readonly #entries: LogEntry[] = [];
  readonly #max: number;

  constructor(max = 10_000) {
    this.#max = max;
  }

  record(entry: LogEntry): LogEntry {
    this.#entries.push(entry);
    // Oldest first out: an interval left running for days must not grow without bound.
    if (this.#entries.length > this.#max) this.#entries.splice(0, this.#entries.length - this.#max);
    return entry;
  }

  entries(): LogEntry[] {
    return this.#entries.map((e) => ({ ...e }));
  }

  clear(): void {
    this.#entries.length = 0;
  }
}
