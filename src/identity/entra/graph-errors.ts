// The closed set of errors the Microsoft Graph client raises: a Graph API error (status + Graph's
// `error.code`) and an Entra token-endpoint error (OAuth `error` + the AADSTS code). Must not carry
// tokens, secrets or request bodies in messages.
import { z } from 'zod';

/** A Graph call failed: `status` 0 means no HTTP answer (network, timeout). */
export class GraphError extends Error {
  readonly status: number;
  /** Graph's `error.code` (e.g. `Authorization_RequestDenied`), or `network_error`, `invalid_response`, `foreign_next_link`. */
  readonly code: string;
  readonly requestId: string | undefined;
  constructor(status: number, code: string, message: string, options?: { cause?: unknown; requestId?: string }) {
    super(message, options);
    this.name = 'GraphError';
    this.status = status;
    this.code = code;
    this.requestId = options?.requestId;
  }
}

/** The client-credentials token request failed (reference §2.9). */
export class EntraTokenError extends Error {
  readonly status: number;
  /** OAuth error, e.g. `invalid_client`; `network_error` or `invalid_response` when there was none. */
  readonly code: string;
  /** `AADSTS7000215` etc., when Entra sent one. */
  readonly aadsts: string | undefined;
  constructor(status: number, code: string, aadsts: string | undefined, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EntraTokenError';
    this.status = status;
    this.code = code;
    this.aadsts = aadsts;
  }
}

// Graph error body: a single top-level `error` object (Graph "errors" concept page; reference §2.4).
const graphErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string().default(''),
    innerError: z.object({ 'request-id': z.string().optional() }).loose().optional(),
  }).loose(),
});

export function graphErrorFrom(status: number, body: unknown): GraphError {
  const parsed = graphErrorBody.safeParse(body);
  if (!parsed.success) return new GraphError(status, `http_${status}`, `Microsoft Graph answered HTTP ${status}`);
  const { code, message, innerError } = parsed.data.error;
  const requestId = innerError?.['request-id'];
  return new GraphError(status, code, `${code}: ${message}`.trim(), requestId ? { requestId } : {});
}

// Entra token error fields (MSAL ServerAuthorizationTokenResponse; reference §2.9).
const tokenErrorBody = z.object({ error: z.string(), error_description: z.string().optional(), error_codes: z.array(z.number()).optional() }).loose();

export function tokenErrorFrom(status: number, body: unknown): EntraTokenError {
  const parsed = tokenErrorBody.safeParse(body);
  if (!parsed.success) return new EntraTokenError(status, `http_${status}`, undefined, `the Entra token endpoint answered HTTP ${status}`);
  const { error, error_description: description = '', error_codes: codes } = parsed.data;
  const aadsts = /AADSTS\d+/.exec(description)?.[0] ?? (codes?.[0] !== undefined ? `AADSTS${codes[0]}` : undefined);
  // The description's first sentence is the useful part; trace and correlation ids follow it.
  const summary = description.split(/\r?\n| Trace ID:/)[0]?.trim() || error;
  return new EntraTokenError(status, error, aadsts, `Entra refused the app token (${error}): ${summary}`);
}
