// Stable reason codes carried by decisions and traces (pomerium pkg/policy/criteria/reasons.go).
// Codes are machine-readable API; details are for humans. Never put secrets in a detail.

/** Per-selector code prefixes; a rule reports `<prefix>.match` or `<prefix>.no_match`. */
export const selectorCodes = {
  everyone: 'everyone',
  email: 'email',
  emailDomain: 'email_domain',
  group: 'group',
  directoryGroup: 'directory_group',
  claim: 'claim',
  loginMethod: 'login_method',
  authMethod: 'auth_method',
  authContext: 'auth_context',
  ipRange: 'ip_range',
  ipList: 'ip_list',
  country: 'country',
  serviceToken: 'service_token',
  anyServiceToken: 'any_service_token',
  ruleGroup: 'rule_group',
  riskLevel: 'risk_level',
} as const;

type Prefix = (typeof selectorCodes)[keyof typeof selectorCodes];

export const reasons = {
  /** No policy matched: Access is deny-by-default. */
  defaultDeny: 'default_deny',
  /** No identity yet and no bypass/service-auth policy matched: send the user to sign in. */
  identityRequired: 'identity.required',
  /** The directory marks the user inactive (SCIM `active: false`): deny before any user policy. */
  directoryInactive: 'directory.inactive',
  /** An allow policy would match with these Conditional Access authentication contexts. */
  authContextMissing: 'auth_context.missing',
  /** Evaluation hit something unexpected; the engine failed closed. */
  evaluationError: 'evaluation.error',
  /** Trace only: an exclude rule matched, so the policy does not apply. */
  excluded: 'policy.excluded',
} as const;

export type ReasonCode = `${Prefix}.match` | `${Prefix}.no_match` | (typeof reasons)[keyof typeof reasons];

/** `code: detail` — how reasons appear in the access log, deny pages (debug) and traces. */
export function formatReason(r: { code: string; detail?: string }): string {
  return r.detail ? `${r.code}: ${r.detail}` : r.code;
}
