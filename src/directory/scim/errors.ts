// SCIM protocol errors (RFC 7644 §3.12). Owns the one closed error class of the SCIM core and its
// wire body. Must not know about HTTP frameworks: the adapter turns `toScimErrorBody` into a response.

export type ScimStatus = 400 | 401 | 403 | 404 | 409 | 412 | 413 | 500 | 501;

/** RFC 7644 §3.12 Table 9, the detail error keyword for 400 responses (and `sensitive` for 403). */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export interface ScimErrorBody {
  schemas: [typeof ERROR_SCHEMA];
  status: string;
  scimType?: ScimType;
  detail?: string;
}

export class ScimError extends Error {
  readonly status: ScimStatus;
  readonly scimType: ScimType | undefined;
  readonly detail: string;
  /** Stable machine code for logs and metrics: the scimType, or `status_<n>` when there is none. */
  readonly code: string;

  constructor(status: ScimStatus, scimType: ScimType | undefined, detail: string, options?: { cause?: unknown }) {
    super(detail, options);
    this.name = 'ScimError';
    this.status = status;
    this.scimType = scimType;
    this.detail = detail;
    this.code = scimType ?? `status_${status}`;
  }
}

export function isScimError(err: unknown): err is ScimError {
  return err instanceof ScimError;
}

/**
 * The RFC 7644 §3.12 body; `status` is a JSON string. Anything that is not a ScimError becomes an
 * opaque 500 so internal messages (SQL, stack details) never reach the client.
 */
export function toScimErrorBody(err: unknown): ScimErrorBody {
  if (!(err instanceof ScimError)) {
    return { schemas: [ERROR_SCHEMA], status: '500', detail: 'Internal server error' };
  }
  const body: ScimErrorBody = { schemas: [ERROR_SCHEMA], status: String(err.status) };
  if (err.scimType !== undefined) body.scimType = err.scimType;
  if (err.detail !== '') body.detail = err.detail;
  return body;
}
