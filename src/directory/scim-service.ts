// The SCIM 2.0 service provider: routes a plain request to the resource or discovery handler and
// turns every error into the RFC 7644 §3.12 body — the one place for this surface. Owns: routing
// rules (case-insensitive endpoints and trailing slashes, as Microsoft's Postman collection sends
// `/users` and `/Users/?filter=`), 405/501 answers and `/.search`. Must not: read HTTP objects.
import {
  checkStorable, checkStorableJson, ERROR_SCHEMA, findResourceType, findSchema, isScimError, resourceTypesDocument,
  schemasDocument, ScimError, serviceProviderConfig, toScimErrorBody,
} from './scim/index.ts';
import { isObject } from './scim/json.ts';
import { createGroup, deleteGroup, getGroup, listGroups, patchGroup, replaceGroup } from './scim-groups.ts';
import { createUser, deleteUser, getUser, listUsers, patchUser, replaceUser } from './scim-users.ts';
import { param } from './scim-query.ts';
import type { ScimContext, ScimRequest, ScimResponse, ScimServiceDeps } from './scim-types.ts';

type Handler = (deps: ScimServiceDeps, ctx: ScimContext, req: ScimRequest) => Promise<ScimResponse>;
type ByIdHandler = (deps: ScimServiceDeps, ctx: ScimContext, req: ScimRequest, id: string) => Promise<ScimResponse>;

const RESOURCES: Record<string, { list: Handler; create: Handler; get: ByIdHandler; put: ByIdHandler; patch: ByIdHandler; del: ByIdHandler }> = {
  users: { list: listUsers, create: createUser, get: getUser, put: replaceUser, patch: patchUser, del: deleteUser },
  groups: { list: listGroups, create: createGroup, get: getGroup, put: replaceGroup, patch: patchGroup, del: deleteGroup },
};

/** An error response outside ScimStatus (405) still gets the SCIM error schema. */
function plainError(status: number, detail: string, headers: Record<string, string> = {}): ScimResponse {
  return { status, headers, body: { schemas: [ERROR_SCHEMA], status: String(status), detail } };
}

export function errorResponse(err: unknown): ScimResponse {
  const body = toScimErrorBody(err);
  return { status: Number(body.status), headers: {}, body };
}

function segments(path: string): string[] {
  return path.split('/').filter((s) => s !== '').map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new ScimError(400, 'invalidSyntax', 'malformed percent-encoding in the path');
    }
  });
}

/** POST /Users/.search (RFC 7644 §3.4.3): the body's parameters become query parameters. */
function searchQuery(body: unknown): URLSearchParams {
  if (!isObject(body)) throw new ScimError(400, 'invalidSyntax', 'a search request must be a JSON object');
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(body)) {
    if (k.toLowerCase() === 'schemas') continue;
    if (typeof v === 'string' || typeof v === 'number') q.set(k, String(v));
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) q.set(k, v.join(','));
    else throw new ScimError(400, 'invalidSyntax', `search parameter "${k}" must be a string, number or list of strings`);
  }
  return q;
}

function discovery(ctx: ScimContext, req: ScimRequest, name: string, rest: string[]): ScimResponse {
  if (req.method !== 'GET') return plainError(405, `${req.method} is not allowed here`, { allow: 'GET' });
  // RFC 7644 §4: a filter on discovery endpoints SHOULD be refused so clients cannot assume it matched.
  if (param(req.query, 'filter') !== undefined) return plainError(403, 'filtering is not supported on discovery endpoints');
  if (name === 'serviceproviderconfig') {
    if (rest.length > 0) throw new ScimError(404, undefined, 'not found');
    return { status: 200, headers: {}, body: serviceProviderConfig(ctx.baseUrl) };
  }
  const key = rest.join('/');
  if (name === 'schemas') {
    const body = rest.length === 0 ? schemasDocument(ctx.baseUrl) : findSchema(ctx.baseUrl, key);
    if (!body) throw new ScimError(404, undefined, `schema ${JSON.stringify(key)} not found`);
    return { status: 200, headers: {}, body };
  }
  const body = rest.length === 0 ? resourceTypesDocument(ctx.baseUrl) : findResourceType(ctx.baseUrl, key);
  if (!body) throw new ScimError(404, undefined, `resource type ${JSON.stringify(key)} not found`);
  return { status: 200, headers: {}, body };
}

/** NUL and unpaired surrogates are refused wherever they appear, so both backends answer 400 alike. */
function checkText(req: ScimRequest, path: string[]): void {
  for (const s of path) checkStorable(s, 'the path');
  for (const [k, v] of req.query) {
    checkStorable(k, 'a query parameter name');
    checkStorable(v, `query parameter "${k}"`);
  }
  checkStorableJson(req.body, 'body');
}

async function route(deps: ScimServiceDeps, ctx: ScimContext, req: ScimRequest): Promise<ScimResponse> {
  const path = segments(req.path);
  checkText(req, path);
  const [first, ...rest] = path;
  const name = (first ?? '').toLowerCase();
  const method = req.method.toUpperCase();
  const r = RESOURCES[name];
  if (r) {
    if (rest.length === 0) {
      if (method === 'GET') return r.list(deps, ctx, req);
      if (method === 'POST') return r.create(deps, ctx, req);
      return plainError(405, `${method} is not allowed on /${first}`, { allow: 'GET, POST' });
    }
    if (rest.length === 1 && rest[0] === '.search') {
      if (method !== 'POST') return plainError(405, '/.search only answers POST', { allow: 'POST' });
      return r.list(deps, ctx, { ...req, query: searchQuery(req.body) });
    }
    if (rest.length > 1) throw new ScimError(404, undefined, 'not found');
    const id = rest[0] ?? '';
    switch (method) {
      case 'GET': return r.get(deps, ctx, req, id);
      case 'PUT': return r.put(deps, ctx, req, id);
      case 'PATCH': return r.patch(deps, ctx, req, id);
      case 'DELETE': return r.del(deps, ctx, req, id);
      default: return plainError(405, `${method} is not allowed on a resource`, { allow: 'GET, PUT, PATCH, DELETE' });
    }
  }
  if (name === 'serviceproviderconfig' || name === 'schemas' || name === 'resourcetypes') return discovery(ctx, req, name, rest);
  // RFC 7644 §3.7 and §3.11: optional, and a provisioning token has no "me".
  if (name === 'bulk' || name === 'me') throw new ScimError(501, undefined, `/${first} is not supported`);
  throw new ScimError(404, undefined, 'no such SCIM endpoint');
}

/** Never throws: every failure is a SCIM error response; unexpected ones are logged and opaque. */
export async function handleScim(deps: ScimServiceDeps, ctx: ScimContext, req: ScimRequest): Promise<ScimResponse> {
  try {
    return await route(deps, ctx, req);
  } catch (err) {
    if (!isScimError(err)) deps.logger?.error({ err, directoryId: ctx.directoryId, method: req.method }, 'SCIM request failed');
    return errorResponse(err);
  }
}
