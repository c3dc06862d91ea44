// The emulator's risk control API: `GET /_emulator/risk` lists every rated user, `POST /_emulator/risk`
// with `{"user": "bob@contoso.com", "level": "high"}` raises or lowers a user's risk (a simulated
// risky sign-in or its remediation), `{"user": …, "deleted": true}` deletes the user. Owns body
// validation only. Must not be reachable in anything but the development emulator.
import { z } from 'zod';
import type { Directory } from './directory.ts';
import { EmulatorError } from './errors.ts';
import { riskyUserItem } from './graph-risk.ts';
import { RISK_LEVELS, RISK_STATES, type RiskyUsers } from './risky-users.ts';

export const riskChangeSchema = z.strictObject({
  user: z.string().min(1),
  level: z.enum(RISK_LEVELS).optional(),
  state: z.enum(RISK_STATES).optional(),
  detail: z.string().min(1).optional(),
  deleted: z.literal(true).optional(),
}).refine((c) => (c.level === undefined) !== (c.deleted === undefined), { message: 'give either level or deleted', path: ['level'] });

/** Deletes a directory user the way Entra does: memberships go, the riskyUser stays with isDeleted. */
export function deleteUser(directory: Directory, risky: RiskyUsers, userRef: string): void {
  risky.markDeleted(directory.deleteUser(userRef));
}

/** Applies one change; throws EmulatorError (400 for the caller) on bad input or an unknown user. */
export function applyRiskChange(directory: Directory, risky: RiskyUsers, input: unknown): unknown {
  const parsed = riskChangeSchema.safeParse(input);
  if (!parsed.success) {
    throw new EmulatorError('invalid_option', 'expected {"user": UPN or id, "level": none|low|medium|high|hidden[, "state": …]} or {"user": …, "deleted": true}',
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  const c = parsed.data;
  if (c.deleted) {
    const id = directory.user(c.user)?.id;
    deleteUser(directory, risky, c.user);
    const r = id ? risky.get(id) : undefined;
    return r ? riskyUserItem(r) : { user: c.user, deleted: true };
  }
  return riskyUserItem(risky.set(c.user, { level: c.level ?? 'none', ...(c.state ? { state: c.state } : {}), ...(c.detail ? { detail: c.detail } : {}) }));
}

export function listRisk(risky: RiskyUsers): unknown {
  return { value: risky.list().map(riskyUserItem) };
}
