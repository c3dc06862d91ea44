// The provisioning client's closed error set. Each error has a stable code the cycle summary, the
// provisioning log and tests match on. Must not carry the bearer token or request bodies.

export type ProvisioningErrorCode =
  /** Bad options: not a URL, empty token, unknown dialect, bad interval. */
  | 'invalid_option'
  /** provisionOnDemand named a user the emulator's directory does not have. */
  | 'unknown_user'
  /** The SCIM endpoint answered with a status Entra treats as a failure. */
  | 'scim_status'
  /** The SCIM endpoint answered 2xx with a body that is not the resource or ListResponse expected. */
  | 'scim_invalid_response'
  /** A probe matched more than one object (Entra requires the matching attribute to be unique). */
  | 'ambiguous_match'
  /** No HTTP answer at all: connection refused, DNS, timeout. */
  | 'scim_unreachable';

export class ProvisioningError extends Error {
  readonly code: ProvisioningErrorCode;
  /** HTTP status for `scim_status`, else undefined. */
  readonly status: number | undefined;

  constructor(code: ProvisioningErrorCode, message: string, options?: ErrorOptions & { status?: number }) {
    super(message, options);
    this.name = 'ProvisioningError';
    this.code = code;
    this.status = options?.status;
  }
}

/** The stable code of any error thrown while provisioning one object; a bug in the client is `internal`. */
export function errorCode(err: unknown): ProvisioningErrorCode | 'internal' {
  return err instanceof ProvisioningError ? err.code : 'internal';
}
