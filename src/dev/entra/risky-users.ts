// The emulator's Identity Protection state: each user's risk level, state and detail, and when it
// last changed (`riskLastUpdatedDateTime`), as Graph's riskyUser resource shows them (reference
// §2.1). Owns the admin actions' effects (dismiss, confirmCompromised, confirmSafe) and the demo's
// "raise / lower a user's risk". Must not know HTTP, OData or tokens.
import type { Directory, DirectoryUser } from './directory.ts';
import { EmulatorError } from './errors.ts';

export const RISK_LEVELS = ['none', 'low', 'medium', 'high', 'hidden'] as const;
export const RISK_STATES = ['none', 'confirmedSafe', 'remediated', 'dismissed', 'atRisk', 'confirmedCompromised'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];
export type RiskState = (typeof RISK_STATES)[number];

export interface RiskRecord {
  readonly id: string;
  riskLevel: RiskLevel;
  riskState: RiskState;
  riskDetail: string;
  /** Epoch ms of the last change. */
  riskLastUpdated: number;
  isDeleted: boolean;
  isProcessing: boolean;
  userDisplayName: string;
  userPrincipalName: string;
}

export interface RiskChange {
  level: RiskLevel;
  /** Default: `atRisk` for a level above none, `remediated` for none. */
  state?: RiskState;
  detail?: string;
}

/** Users appear once they were ever rated (Graph lists no riskyUser for a never-risky user). */
export class RiskyUsers {
  readonly #records = new Map<string, RiskRecord>();
  readonly #directory: Directory;
  readonly #now: () => number;
  #last = 0;

  constructor(directory: Directory, now: () => number = Date.now) {
    this.#directory = directory;
    this.#now = now;
  }

  list(): RiskRecord[] {
    return [...this.#records.values()];
  }

  get(id: string): RiskRecord | undefined {
    return this.#records.get(id.toLowerCase());
  }

  /** Sets a user's risk (by id or UPN); the demo's "simulate a risky sign-in" and its undo. */
  set(userRef: string, change: RiskChange): RiskRecord {
    const user = this.#directory.user(userRef);
    const known = user ? undefined : this.#records.get(userRef.toLowerCase());
    if (!user && !known) throw new EmulatorError('unknown_object', `unknown user "${userRef}"`);
    const state = change.state ?? (change.level === 'none' ? 'remediated' : 'atRisk');
    const detail = change.detail ?? (change.level === 'none' ? 'userPerformedSecuredPasswordReset' : 'none');
    return this.#write(user, known, { riskLevel: change.level, riskState: state, riskDetail: detail });
  }

  /** POST riskyUsers/dismiss: level none, state dismissed (riskyuser-dismiss). */
  dismiss(ids: readonly string[]): void {
    for (const id of ids) this.#act(id, { riskLevel: 'none', riskState: 'dismissed', riskDetail: 'adminDismissedAllRiskForUser' });
  }

  /** POST riskyUsers/confirmCompromised: level high, state confirmedCompromised. */
  confirmCompromised(ids: readonly string[]): void {
    for (const id of ids) this.#act(id, { riskLevel: 'high', riskState: 'confirmedCompromised', riskDetail: 'adminConfirmedUserCompromised' });
  }

  /** POST riskyUsers/confirmSafe: level none, state confirmedSafe. */
  confirmSafe(ids: readonly string[]): void {
    for (const id of ids) this.#act(id, { riskLevel: 'none', riskState: 'confirmedSafe', riskDetail: 'adminConfirmedAccountSafe' });
  }

  /** A deleted user stays listed with `isDeleted: true` (Graph keeps the record). */
  markDeleted(user: DirectoryUser): void {
    const r = this.#records.get(user.id);
    if (r) Object.assign(r, { isDeleted: true, riskLastUpdated: this.#tick() });
  }

  /** Strictly increasing across all users, so changes in one millisecond still order for watermark readers. */
  #tick(): number {
    this.#last = Math.max(this.#now(), this.#last + 1);
    return this.#last;
  }

  #act(id: string, fields: Pick<RiskRecord, 'riskLevel' | 'riskState' | 'riskDetail'>): void {
    const user = this.#directory.user(id);
    const known = this.#records.get(id.toLowerCase());
    if (user || known) this.#write(user, known, fields);
  }

  #write(user: DirectoryUser | undefined, known: RiskRecord | undefined, fields: Pick<RiskRecord, 'riskLevel' | 'riskState' | 'riskDetail'>): RiskRecord {
    const id = user?.id ?? known?.id ?? '';
    const prev = this.#records.get(id);
    const record: RiskRecord = {
      id, isDeleted: prev?.isDeleted ?? false, isProcessing: false,
      userDisplayName: user?.displayName ?? prev?.userDisplayName ?? '',
      userPrincipalName: user?.userPrincipalName ?? prev?.userPrincipalName ?? '',
      ...fields,
      riskLastUpdated: this.#tick(),
    };
    this.#records.set(id, record);
    return record;
  }
}
