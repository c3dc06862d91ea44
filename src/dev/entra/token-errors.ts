// Entra-shaped token-endpoint error bodies (MSAL ServerAuthorizationTokenResponse fields):
// `error`, `error_description` starting with an AADSTS code, `error_codes`, `timestamp`,
// `trace_id`, `correlation_id`, `error_uri`. Pure; must not echo secrets from the request.
import { randomUUID } from 'node:crypto';

export interface EntraTokenError {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
}

// OAuth error → the AADSTS code Entra uses for the commonest cause (reference-error-codes).
const CODES: Record<string, { code: number; text: string }> = {
  invalid_client: { code: 7000215, text: 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.' },
  invalid_grant: { code: 70008, text: 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.' },
  invalid_scope: { code: 70011, text: 'The provided request must include a \'scope\' input parameter. The provided value for the input parameter \'scope\' is not valid.' },
  unsupported_grant_type: { code: 70003, text: 'The app requested an unsupported grant type.' },
  unauthorized_client: { code: 700016, text: 'Application was not found in the directory.' },
  invalid_tenant: { code: 90002, text: 'Tenant not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.' },
  temporarily_unavailable: { code: 90033, text: 'A transient error has occurred. Please try again.' },
  invalid_request: { code: 900144, text: 'The request body is malformed or missing a required parameter.' },
};

/** `known` overrides the code chosen from `error` (client assertions fail with their own codes). */
export function entraTokenError(error: string, detail: string | undefined, authority: string, known: { code: number; text: string } = CODES[error] ?? { code: 90000, text: 'The request could not be processed.' }): EntraTokenError {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
  const text = detail && error !== 'invalid_client' ? `${known.text} (${detail})` : known.text;
  return {
    error,
    error_description: `AADSTS${known.code}: ${text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [known.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `${authority}/error?code=${known.code}`,
  };
}
