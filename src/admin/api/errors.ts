// The admin API's closed set of errors and their one JSON shape, `{code, message, details}`.
// Owns: codes, statuses and turning zod issues into field paths. Must not: put secrets, SQL or
// driver messages in a message — unexpected errors become `internal` with the request id only.
import type { z } from 'zod';
import { formatPath } from '../../config/issues.ts';

export type ApiErrorCode =
  | 'invalid_request' | 'invalid_json' | 'unauthenticated' | 'forbidden' | 'csrf_rejected' | 'not_found'
  | 'method_not_allowed' | 'payload_too_large' | 'unsupported_media_type' | 'unavailable' | 'internal'
  | 'read_only' | 'conflict' | 'admin_lockout' | 'precondition_failed' | 'precondition_required' | 'upstream_error';

const STATUS: Record<ApiErrorCode, number> = {
  invalid_request: 400, invalid_json: 400, unauthenticated: 401, forbidden: 403, csrf_rejected: 403, not_found: 404,
  method_not_allowed: 405, payload_too_large: 413, unsupported_media_type: 415, unavailable: 503, internal: 500,
  read_only: 409, conflict: 409, admin_lockout: 409, precondition_failed: 412, precondition_required: 428,
  // Microsoft Graph or Entra refused or failed a call made on the caller's behalf (import, sync).
  upstream_error: 502,
};

export interface FieldProblem { path: string; message: string }

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  readonly details: FieldProblem[];
  readonly headers: Record<string, string>;
  constructor(code: ApiErrorCode, message: string, details: FieldProblem[] = [], headers: Record<string, string> = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = STATUS[code];
    this.details = details;
    this.headers = headers;
  }

  body(): { code: ApiErrorCode; message: string; details: FieldProblem[] } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** `body.sessionId: Required`-style problems; `where` is `params`, `query` or `body`. */
export function invalid(where: string, issues: readonly z.core.$ZodIssue[]): ApiError {
  const details = issues.map((i) => ({ path: formatPath([where, ...i.path]), message: i.message }));
  return new ApiError('invalid_request', `the request ${where === 'body' ? 'body' : where} is invalid`, details);
}

export const notFound = (what: string): ApiError => new ApiError('not_found', `${what} not found`);
