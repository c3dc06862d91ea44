// Stable reason codes of Gateway decisions (selector codes are `gateway.<selector>.match` /
// `.no_match`, see gateway-selectors/). Codes are API; details are for humans, never secrets.
export const gatewayReasons = {
  /** No rule matched: the configured default action (allow unless gateway.defaultAction says block). */
  defaultAction: 'gateway.default',
  /** Evaluation hit something unexpected; the engine failed closed (block). */
  evaluationError: 'gateway.evaluation_error',
  /** The directory marks the user inactive: their traffic is blocked before any rule. */
  directoryInactive: 'gateway.directory_inactive',
} as const;
