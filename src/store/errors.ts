// The store's closed set of errors. Owns: the classes and their stable codes. Must not: carry SQL
// text or parameter values in messages (they may hold secrets or personal data); the driver error
// stays reachable through `cause` for operators, never for end users (`expose` is false).

export type StoreErrorCode =
  | 'store.conflict'
  | 'store.version_mismatch'
  | 'store.unavailable'
  | 'store.unsupported_filter';

export abstract class StoreError extends Error {
  abstract readonly code: StoreErrorCode;
  /** Suggested HTTP status for the one place per surface that turns errors into responses. */
  abstract readonly status: number;
  readonly expose = false;
}

/** A uniqueness rule was broken; `field` names the rule (`userName`, `displayName`, `id`, …). */
export class StoreConflictError extends StoreError {
  readonly code = 'store.conflict';
  readonly status = 409;
  readonly field: string;
  constructor(field: string, options?: { cause?: unknown }) {
    super(`conflict on ${field}`, options);
    this.name = 'StoreConflictError';
    this.field = field;
  }
}

/** An optimistic-concurrency check failed: the row changed since the caller read it. */
export class StoreVersionError extends StoreError {
  readonly code = 'store.version_mismatch';
  readonly status = 412;
  readonly expected: number;
  readonly actual: number;
  constructor(expected: number, actual: number) {
    super(`version mismatch: expected ${expected}, found ${actual}`);
    this.name = 'StoreVersionError';
    this.expected = expected;
    this.actual = actual;
  }
}

/** The database could not serve the call (connection lost, busy, driver failure). Fail closed. */
export class StoreUnavailableError extends StoreError {
  readonly code = 'store.unavailable';
  readonly status = 503;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * A SCIM filter or sort named something the SQL translator cannot express exactly. Thrown instead
 * of dropping the condition, so a caller never gets "everything" for a filter it did not mean
 * (RFC 7644 §3.4.2.2; the SCIM surface maps this to 400 invalidFilter).
 */
export class StoreUnsupportedFilterError extends StoreError {
  readonly code = 'store.unsupported_filter';
  readonly status = 400;
  readonly attribute: string;
  constructor(attribute: string, reason: string) {
    super(`unsupported filter on "${attribute}": ${reason}`);
    this.name = 'StoreUnsupportedFilterError';
    this.attribute = attribute;
  }
}
