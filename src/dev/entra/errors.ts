// The emulator's closed set of error classes. Each carries a stable string code that tests and the
// CLI match on; messages are for humans. Must not carry secrets (passwords, client secrets) in any
// message or detail line.

export type EmulatorErrorCode =
  | 'fixture_unreadable'
  | 'fixture_invalid'
  | 'invalid_option'
  | 'unknown_object'
  | 'invalid_fault';

/** Configuration and runtime-API misuse: a bad fixture, bad options, an unknown user or group. */
export class EmulatorError extends Error {
  readonly code: EmulatorErrorCode;
  /** One line per problem, each prefixed with its path, e.g. `groups[2].members[1]: unknown member "x"`. */
  readonly details: readonly string[];

  constructor(code: EmulatorErrorCode, message: string, details: readonly string[] = [], options?: ErrorOptions) {
    super(details.length ? `${message}\n  ${details.join('\n  ')}` : message, options);
    this.name = 'EmulatorError';
    this.code = code;
    this.details = details;
  }
}

/** Graph error codes the emulator emits (Microsoft Graph `concepts/errors.md`). */
export type GraphErrorCode =
  | 'InvalidAuthenticationToken'
  | 'Authorization_RequestDenied'
  | 'Request_ResourceNotFound'
  | 'Request_BadRequest'
  | 'Request_UnsupportedQuery'
  | 'TooManyRequests'
  | 'syncStateNotFound'
  | 'ServiceUnavailable'
  | 'UnknownError';

/** A Graph request that fails; the Graph router turns it into the OData `error` body. */
export class GraphError extends Error {
  readonly code: GraphErrorCode;
  readonly status: number;

  constructor(status: number, code: GraphErrorCode, message: string) {
    super(message);
    this.name = 'GraphError';
    this.status = status;
    this.code = code;
  }
}
