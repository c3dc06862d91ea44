// The HTTP adapter of the SCIM service: an auth-host mount at /scim/v2. Owns: bearer
// authentication (the token decides the directory), body limits, JSON parsing, the SCIM media type
// and the provisioning log. Must not: hold SCIM logic (scim-service.ts does), log the token or a
// body, or answer anything but a SCIM error body on failure (RFC 7644 §3.12; Okta's test wants
// one on 401 too).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { AuthHostMount } from '../../access/context.ts';
import type { ProvisioningLogEntry } from '../../store/ports.ts';
import { ERROR_SCHEMA } from '../scim/index.ts';
import { handleScim } from '../scim-service.ts';
import { verifyBearer } from '../scim-tokens.ts';
import type { ScimAudit, ScimResponse, ScimServiceDeps } from '../scim-types.ts';
import { BodyTooLarge, declaresTooLarge, isJsonMediaType, MAX_BODY_BYTES, readBody } from './read-body.ts';
import { describeRequest } from './describe-request.ts';
import { ProvisioningLogWriter } from './provisioning-log-writer.ts';

export const SCIM_PREFIX = '/scim/v2';
const MEDIA_TYPE = 'application/scim+json; charset=utf-8';

export interface ScimMountOptions extends ScimServiceDeps {
  /** The public auth origin, e.g. `https://auth.example.com` (read per request: config reloads). */
  authOrigin: () => string;
  now: () => number;
  logger: Logger;
  maxBodyBytes?: number;
}

function send(res: ServerResponse, r: ScimResponse): void {
  const headers: Record<string, string> = { 'cache-control': 'no-store', ...r.headers };
  if (r.body === undefined) {
    res.writeHead(r.status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(r.body);
  res.writeHead(r.status, { ...headers, 'content-type': MEDIA_TYPE, 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

function error(status: number, detail: string, scimType?: string, headers: Record<string, string> = {}): ScimResponse {
  return { status, headers, body: { schemas: [ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail } };
}

const UNAUTHORIZED = (): ScimResponse =>
  // RFC 6750 §3: a missing or bad token is answered with a Bearer challenge.
  error(401, 'a valid SCIM bearer token is required', undefined, { 'www-authenticate': 'Bearer realm="moatless-scim", error="invalid_token"', connection: 'close' });

const TOO_LARGE = (limit: number): ScimResponse =>
  error(413, `request body exceeds ${limit} bytes`, undefined, { connection: 'close' });

async function parseBody(req: IncomingMessage, limit: number): Promise<{ body: unknown } | { fail: ScimResponse }> {
  const method = (req.method ?? 'GET').toUpperCase();
  if (method === 'GET' || method === 'DELETE' || method === 'HEAD') {
    // Bodies on these are meaningless; drain so the connection stays usable, within the same cap.
    try {
      await readBody(req, limit);
    } catch {
      return { fail: TOO_LARGE(limit) };
    }
    return { body: undefined };
  }
  if (req.headers['content-type'] !== undefined && !isJsonMediaType(req.headers['content-type'])) {
    return { fail: error(415, 'send application/scim+json or application/json', undefined, { connection: 'close' }) };
  }
  let raw: Buffer;
  try {
    raw = await readBody(req, limit);
  } catch (err) {
    if (err instanceof BodyTooLarge) return { fail: TOO_LARGE(limit) };
    throw err;
  }
  if (raw.length === 0) return { body: undefined };
  try {
    return { body: JSON.parse(raw.toString('utf8')) as unknown };
  } catch (err) {
    const where = err instanceof SyntaxError ? `: ${err.message.slice(0, 200)}` : '';
    return { fail: error(400, `the body is not valid JSON${where}`, 'invalidSyntax') };
  }
}

export function scimMount(opts: ScimMountOptions): AuthHostMount {
  const limit = opts.maxBodyBytes ?? MAX_BODY_BYTES;
  const deps: ScimServiceDeps = { store: opts.store, sessions: opts.sessions, logger: opts.logger, ...(opts.groupChange ? { groupChange: opts.groupChange } : {}) };
  const log = new ProvisioningLogWriter(opts.store, opts.logger);
  return {
    prefix: SCIM_PREFIX,
    close: () => log.flush(),
    // `Expect: 100-continue` (curl): an oversized Content-Length is refused before the body is sent.
    refuseBeforeBody(req, res) {
      if (!declaresTooLarge(req, limit)) return false;
      send(res, TOO_LARGE(limit));
      return true;
    },
    async handle(req, res, requestId) {
      const started = performance.now();
      const url = new URL(req.url ?? '/', 'http://scim.invalid');
      const path = url.pathname.slice(SCIM_PREFIX.length) || '/';
      const method = (req.method ?? 'GET').toUpperCase();
      let token;
      try {
        token = await verifyBearer(opts.store, req.headers.authorization, opts.now());
      } catch (err) {
        opts.logger.error({ err, requestId }, 'SCIM token lookup failed');
        send(res, error(503, 'temporarily unavailable'));
        return;
      }
      if (!token) {
        opts.logger.warn({ requestId, method, path }, 'SCIM request without a valid token');
        send(res, UNAUTHORIZED());
        return;
      }
      const parsed = await parseBody(req, limit);
      const now = opts.now();
      const response = 'fail' in parsed
        ? parsed.fail
        : await handleScim(deps, { directoryId: token.directoryId, baseUrl: opts.authOrigin().replace(/\/+$/, '') + SCIM_PREFIX, now }, {
            method, path, query: url.searchParams, body: parsed.body,
            headers: typeof req.headers['if-match'] === 'string' ? { ifMatch: req.headers['if-match'] } : {},
          });
      send(res, response);
      const audit: ScimAudit = response.audit ?? describeRequest(method, path);
      const detail = response.status >= 400 && typeof response.body === 'object' && response.body !== null ? (response.body as { detail?: unknown }).detail : undefined;
      const entry: ProvisioningLogEntry = {
        time: now, directoryId: token.directoryId, method, path: path.slice(0, 512), ...audit,
        status: response.status, error: typeof detail === 'string' ? detail.slice(0, 500) : null,
        durationMs: Math.round(performance.now() - started),
      };
      log.append(entry);
    },
  };
}
