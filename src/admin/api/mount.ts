// The admin API's HTTP adapter: an auth-host mount at /api/v1. Owns the pipeline — route match,
// authentication, role/scope, CSRF, body limits, validation, the audit record of every
// state-changing call — and the one place errors become `{code, message, details}`. Must not:
// hold endpoint logic (the *-routes.ts files do) or log bodies and credentials.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { AuthHostMount } from '../../access/context.ts';
import { BodyTooLarge, readBody } from '../../directory/http/read-body.ts';
import { ApiError } from './errors.ts';
import { buildOpenApi } from './openapi.ts';
import { authenticate, checkCsrf, type Principal, type PrincipalDeps } from './principal.ts';
import type { AuditNote, Route } from './route.ts';

export const API_PREFIX = '/api/v1';
const MAX_BODY = 64 * 1024;

export interface ApiMountOptions extends PrincipalDeps {
  routes: Route[];
  authOrigin: () => string;
  logger: Logger;
}

interface Compiled { route: Route; re: RegExp; names: string[] }

function compile(route: Route): Compiled {
  const names: string[] = [];
  const re = new RegExp(`^${route.path.replace(/\{(\w+)\}/g, (_, n: string) => { names.push(n); return '([^/]+)'; })}$`);
  return { route, re, names };
}

export function adminApiMount(opts: ApiMountOptions): AuthHostMount {
  const table = opts.routes.map(compile);
  let openapi: { origin: string; body: string } | null = null;

  async function dispatch(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://admin.invalid');
    const path = url.pathname.slice(API_PREFIX.length) || '/';
    const method = (req.method ?? 'GET').toLowerCase();
    if (path === '/openapi.json' && (method === 'get' || method === 'head')) {
      const origin = opts.authOrigin();
      if (openapi?.origin !== origin) openapi = { origin, body: JSON.stringify(buildOpenApi(opts.routes, origin + API_PREFIX)) };
      return send(res, 200, openapi.body, requestId);
    }
    const candidates = table.flatMap((c) => { const m = c.re.exec(path); return m ? [{ c, m }] : []; });
    if (candidates.length === 0) throw new ApiError('not_found', `no admin API operation at ${API_PREFIX}${path}`);
    const hit = candidates.find((x) => x.c.route.method === method);
    if (!hit) throw new ApiError('method_not_allowed', `use ${candidates.map((x) => x.c.route.method.toUpperCase()).join(' or ')}`, [], { allow: candidates.map((x) => x.c.route.method.toUpperCase()).join(', ') });
    const route = hit.c.route;
    const who = await authenticate(opts, req);
    if (route.access === 'write' && !who.canWrite) {
      throw new ApiError('forbidden', who.kind === 'token' ? 'this token is read-only (scope read)' : 'auditors have read-only access');
    }
    checkCsrf(who, req, opts.authOrigin());
    const params: Record<string, string> = {};
    hit.c.names.forEach((n, i) => { params[n] = decodeParam(hit.m[i + 1]!); });
    const body = method === 'post' || method === 'put' || method === 'patch' ? await readJson(req) : undefined;
    const audited: AuditNote[] = [];
    const headers: Record<string, string> = {};
    const ifMatch = req.headers['if-match'];
    const result = await route.run({ params, query: Object.fromEntries(url.searchParams), body }, {
      who, requestId, ifMatch: typeof ifMatch === 'string' ? ifMatch : null,
      audit: async (note) => { audited.push(note); await record(who, note, requestId); },
      setHeader: (name, value) => { headers[name.toLowerCase()] = value; },
    });
    // Every state-changing call leaves a trace, even if its handler forgot to describe it.
    if (route.access === 'write' && audited.length === 0) await record(who, { action: route.operationId, target: '-', before: null, after: null }, requestId);
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    send(res, route.status ?? 200, JSON.stringify(result), requestId);
  }

  function record(who: Principal, note: AuditNote, requestId: string): Promise<number> {
    return opts.store.admin.audit.append({ ...note, time: opts.now(), actor: who.actor, requestId });
  }

  return {
    prefix: API_PREFIX,
    async handle(req, res, requestId) {
      try {
        await dispatch(req, res, requestId);
      } catch (err) {
        const e = err instanceof ApiError ? err : new ApiError('internal', `the request failed; quote request id ${requestId}`);
        if (!(err instanceof ApiError)) opts.logger.error({ err, requestId, path: req.url }, 'admin API request failed');
        for (const [k, v] of Object.entries(e.headers)) res.setHeader(k, v);
        send(res, e.status, JSON.stringify(e.body()), requestId);
      }
    },
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new ApiError('unsupported_media_type', 'send the body as application/json');
  let raw: Buffer;
  try {
    raw = await readBody(req, MAX_BODY);
  } catch (err) {
    if (err instanceof BodyTooLarge) throw new ApiError('payload_too_large', `the body exceeds ${MAX_BODY} bytes`, [], { connection: 'close' });
    throw err;
  }
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (err) {
    throw new ApiError('invalid_json', `the body is not valid JSON${err instanceof SyntaxError ? `: ${err.message.slice(0, 200)}` : ''}`);
  }
}

function decodeParam(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new ApiError('invalid_request', 'a path segment is not valid percent-encoding');
  }
}

function send(res: ServerResponse, status: number, body: string, requestId: string): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store',
    'x-content-type-options': 'nosniff', 'moatless-request-id': requestId,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
