// Simulated Conditional Access for authentication contexts: which contexts an authorization request
// asks for (the `claims` parameter's `acrs` member) and whether a user satisfies the policies that
// target each one. Pure functions; must not do I/O or read session state itself.
import type { ConditionalAccessPolicy } from './fixture.ts';

export interface CaSubject {
  mfa: boolean;
  compliantDevice: boolean;
}

export type CaOutcome =
  | { kind: 'satisfied' }
  /** The user can satisfy the policy by completing the second factor now. */
  | { kind: 'mfa_required' }
  /** A grant control the user cannot meet: Entra blocks the sign-in with this AADSTS code. */
  | { kind: 'blocked'; code: string; description: string };

// Wording follows Entra's error-code reference (learn.microsoft.com/entra/identity-platform/reference-error-codes).
const DEVICE_NOT_COMPLIANT = {
  code: 'AADSTS53000',
  description: 'AADSTS53000: Device is not in required device state: compliant. Conditional Access policy requires a compliant device, and the device is not compliant. The user must enroll their device with an approved MDM provider like Intune.',
};
const MFA_REGISTRATION_REQUIRED = {
  code: 'AADSTS50079',
  description: 'AADSTS50079: Due to a configuration change made by your administrator, or because you moved to a new location, the user is required to use multi-factor authentication.',
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The authentication-context ids requested in an OIDC `claims` parameter (OIDC Core §5.5), from
 * either the `id_token` or the `access_token` member (Microsoft documents the latter,
 * developer-guide-conditional-access-authentication-context), with `value` or `values`.
 */
export function requestedContexts(claims: unknown): string[] {
  if (!isRecord(claims)) return [];
  const out = new Set<string>();
  for (const member of ['id_token', 'access_token']) {
    const target = claims[member];
    const acrs = isRecord(target) ? target.acrs : undefined;
    if (!isRecord(acrs)) continue;
    if (typeof acrs.value === 'string') out.add(acrs.value);
    if (Array.isArray(acrs.values)) for (const v of acrs.values) if (typeof v === 'string') out.add(v);
  }
  return [...out].filter((id) => /^c[1-9][0-9]?$/.test(id));
}

/**
 * Evaluates every policy that targets `contextId`. A context no policy targets is satisfied, as in
 * Entra (the `acrs` claim is "also issued if no policy targets it"). Device compliance is checked
 * before MFA: Entra knows the device state before it prompts, so a non-compliant device is blocked
 * without a second-factor prompt.
 */
export function evaluateContext(
  contextId: string,
  user: CaSubject,
  policies: readonly ConditionalAccessPolicy[],
  mfaCompleted: boolean,
): CaOutcome {
  const targeting = policies.filter((p) => p.authContext === contextId);
  if (targeting.some((p) => p.requireCompliantDevice) && !user.compliantDevice) return { kind: 'blocked', ...DEVICE_NOT_COMPLIANT };
  if (targeting.some((p) => p.requireMfa)) {
    if (!user.mfa) return { kind: 'blocked', ...MFA_REGISTRATION_REQUIRED };
    if (!mfaCompleted) return { kind: 'mfa_required' };
  }
  return { kind: 'satisfied' };
}

/** Combines the outcome of several requested contexts: any block wins, then any pending MFA. */
export function evaluateContexts(
  contextIds: readonly string[],
  user: CaSubject,
  policies: readonly ConditionalAccessPolicy[],
  mfaCompleted: boolean,
): CaOutcome {
  const outcomes = contextIds.map((id) => evaluateContext(id, user, policies, mfaCompleted));
  return outcomes.find((o) => o.kind === 'blocked') ?? outcomes.find((o) => o.kind === 'mfa_required') ?? { kind: 'satisfied' };
}
