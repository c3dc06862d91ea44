// The emulator's HTTP front door: counts requests, applies injected faults, serves the
// `/_emulator` control API, and dispatches to the Graph subset, the sign-in interaction or
// oidc-provider (rewriting Entra's tenant-prefixed paths and the public host on the way). Must not
// implement OIDC or Graph semantics itself, and never logs query strings (they carry codes).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Provider } from 'oidc-provider';
import { EmulatorError } from './errors.ts';
import type { Fault, Faults, RequestLog } from './faults.ts';
import type { GraphRequest, GraphResponse } from './graph-router.ts';
import { graphErrorBody } from './graph-shapes.ts';
import { entraTokenError } from './token-errors.ts';

export interface EmulatorLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface FrontDeps {
  tenantId: string;
  tenantName: string;
  baseUrl: URL;
  /** Path prefix of the Graph base URL ('' when Graph is at the root). */
  graphPrefix: string;
  provider: Provider;
  providerCallback: (req: IncomingMessage, res: ServerResponse) => void;
  interactions: (req: IncomingMessage, res: ServerResponse, uid: string, step: 'show' | 'login' | 'mfa' | 'return') => Promise<void>;
  graph: (req: GraphRequest) => Promise<GraphResponse>;
  faults: Faults;
  requests: RequestLog;
  multiTenantRequests: WeakSet<IncomingMessage>;
  logger?: EmulatorLogger;
  /** `/_emulator/risk`: list rated users (GET) or change one's risk (POST). */
  risk?: { list(): unknown; change(body: unknown): unknown };
}

const MAX_BODY = 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_BODY): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > limit) throw new EmulatorError('invalid_option', 'request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export const readForm = async (req: IncomingMessage) => new URLSearchParams(await readBody(req, 16 * 1024));

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (status === 204) return void res.writeHead(204, headers).end();
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * Entra documents the auth-context request against the access token
 * (`{"access_token":{"acrs":…}}`); oidc-provider only knows `id_token`/`userinfo` members, so the
 * access-token request is mirrored onto the ID token, which is what the relying party reads.
 */
export function mirrorAccessTokenAcrs(search: URLSearchParams): void {
  const raw = search.get('claims');
  if (!raw) return;
  let claims: unknown;
  try {
    claims = JSON.parse(raw);
  } catch {
    return; // oidc-provider rejects the malformed parameter itself
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return;
  const record = claims as Record<string, unknown>;
  const at = record.access_token;
  if (typeof at !== 'object' || at === null || !('acrs' in at)) return;
  const idToken = typeof record.id_token === 'object' && record.id_token !== null ? (record.id_token as Record<string, unknown>) : {};
  if (!('acrs' in idToken)) record.id_token = { ...idToken, acrs: (at as Record<string, unknown>).acrs };
  search.set('claims', JSON.stringify(record));
}

/** The answer an injected fault gives on a Graph path (also used for requests inside `$batch`). */
export function graphFaultResponse(fault: Fault): GraphResponse {
  const headers: Record<string, string> = fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {};
  const code = fault.code ?? (fault.status === 429 ? 'TooManyRequests' : fault.status >= 500 ? 'ServiceUnavailable' : 'Request_BadRequest');
  const message = fault.message ?? (fault.status === 429 ? 'Too many requests.' : 'The service is temporarily unavailable.');
  return { status: fault.status, headers, body: graphErrorBody(code, message) };
}

export function createFrontDoor(deps: FrontDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { faults, requests } = deps;
  const tenantKeys = new Set([deps.tenantId.toLowerCase(), deps.tenantName.toLowerCase()]);

  const control = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    if (path === '/_emulator/requests' && req.method === 'GET') return sendJson(res, 200, { value: requests.entries() });
    if (path === '/_emulator/requests' && req.method === 'DELETE') return requests.reset(), sendJson(res, 204, null);
    if (path === '/_emulator/faults' && req.method === 'GET') return sendJson(res, 200, { value: faults.list() });
    if (path === '/_emulator/faults' && req.method === 'DELETE') return faults.clear(), sendJson(res, 204, null);
    if (path === '/_emulator/risk' && deps.risk && req.method === 'GET') return sendJson(res, 200, deps.risk.list());
    if (path === '/_emulator/risk' && deps.risk && req.method === 'POST') {
      try {
        return sendJson(res, 200, deps.risk.change(JSON.parse(await readBody(req)) as unknown));
      } catch (err) {
        const details = err instanceof EmulatorError ? err.details : [];
        return sendJson(res, 400, { code: 'invalid_risk', message: err instanceof Error ? err.message.split('\n')[0] : 'invalid risk change', details });
      }
    }
    if (path === '/_emulator/faults' && req.method === 'POST') {
      try {
        const specs: unknown = JSON.parse(await readBody(req));
        const added = (Array.isArray(specs) ? specs : [specs]).map((s) => faults.add(s as Parameters<Faults['add']>[0]));
        return sendJson(res, 201, { value: added });
      } catch (err) {
        const details = err instanceof EmulatorError ? err.details : [];
        return sendJson(res, 400, { code: 'invalid_fault', message: err instanceof Error ? err.message.split('\n')[0] : 'invalid fault', details });
      }
    }
    return sendJson(res, 404, { code: 'not_found', message: `no emulator endpoint ${req.method} ${path}` });
  };

  const graph = async (req: IncomingMessage, res: ServerResponse, url: URL, rest: string) => {
    let body: unknown;
    if (req.method === 'POST' || req.method === 'PATCH') {
      try {
        const text = await readBody(req);
        body = text ? JSON.parse(text) : undefined;
      } catch {
        return sendJson(res, 400, graphErrorBody('Request_BadRequest', 'Invalid JSON in the request body.'));
      }
    }
    const header = (name: string) => { const v = req.headers[name]; return Array.isArray(v) ? v[0] : v; };
    const out = await deps.graph({
      method: req.method ?? 'GET', path: rest, query: url.searchParams, body,
      authorization: header('authorization'), clientRequestId: header('client-request-id'),
    });
    sendJson(res, out.status, out.body, out.headers);
  };

  const oidc = (req: IncomingMessage, res: ServerResponse, url: URL, tenant: string, rest: string) => {
    const isMulti = tenant === 'common' || tenant === 'organizations';
    if (isMulti) deps.multiTenantRequests.add(req);
    let inner = rest;
    if (rest === '/v2.0/.well-known/openid-configuration') inner = '/.well-known/openid-configuration';
    if (inner === '/oauth2/v2.0/authorize') mirrorAccessTokenAcrs(url.searchParams);
    const search = url.searchParams.size ? `?${url.searchParams}` : '';
    req.url = inner + search;
    // oidc-provider derives its mount path from originalUrl (oidc_context.js urlFor).
    Object.assign(req, { originalUrl: `/${isMulti ? tenant : deps.tenantId}${inner}${search}` });
    // The public base URL wins over whatever the client sent: discovery and redirects use it.
    req.headers['x-forwarded-host'] = deps.baseUrl.host;
    req.headers['x-forwarded-proto'] = deps.baseUrl.protocol.replace(':', '');
    deps.providerCallback(req, res);
  };

  const dispatch = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const path = url.pathname;
    const fault = faults.take(req.method ?? 'GET', path);
    const isGraph = path.startsWith(`${deps.graphPrefix}/v1.0/`);
    if (fault) {
      if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (res.destroyed) return;
      const out = graphFaultResponse(fault);
      if (fault.body !== undefined) {
        res.writeHead(fault.status, { 'content-type': 'application/json; charset=utf-8', ...out.headers });
        return void res.end(fault.body);
      }
      const message = fault.message ?? (fault.status === 429 ? 'Too many requests.' : 'The service is temporarily unavailable.');
      return sendJson(res, fault.status, isGraph ? out.body : entraTokenError('temporarily_unavailable', message, deps.baseUrl.origin), out.headers);
    }
    if (isGraph) return graph(req, res, url, path.slice(deps.graphPrefix.length + '/v1.0'.length));

    const m = /^\/([^/]+)(\/.*)?$/.exec(path);
    const tenant = m?.[1]?.toLowerCase();
    const rest = m?.[2] ?? '/';
    if (!tenant) return sendJson(res, 200, { emulator: 'Moatless Entra ID emulator (development only)', issuer: deps.provider.issuer });
    if (tenant !== 'common' && tenant !== 'organizations' && !tenantKeys.has(tenant)) {
      return sendJson(res, 400, entraTokenError('invalid_tenant', undefined, deps.baseUrl.origin));
    }
    const interaction = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|mfa|return))?$/.exec(rest);
    if (interaction?.[1]) return deps.interactions(req, res, interaction[1], (interaction[2] as 'login' | 'mfa' | 'return' | undefined) ?? 'show');
    return oidc(req, res, url, tenant, rest);
  };

  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const path = url.pathname;
    if (path.startsWith('/_emulator/')) {
      void control(req, res, path).catch((err: unknown) => sendJson(res, 500, { code: 'internal', message: String(err) }));
      return;
    }
    const method = req.method ?? 'GET';
    res.on('finish', () => {
      requests.record({ method, path, status: res.statusCode, at: new Date().toISOString() });
      deps.logger?.info({ method, path, status: res.statusCode }, 'entra emulator request');
    });
    dispatch(req, res, url).catch((err: unknown) => {
      deps.logger?.error({ err: err instanceof Error ? err.message : String(err), path }, 'entra emulator error');
      if (!res.headersSent) sendJson(res, 500, graphErrorBody('UnknownError', 'Internal emulator error.'));
      else res.end();
    });
  };
}
