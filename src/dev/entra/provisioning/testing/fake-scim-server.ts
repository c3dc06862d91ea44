// Test-only SCIM 2.0 service provider on 127.0.0.1: in-memory Users and Groups built on Moatless's
// own SCIM protocol core (filters, PATCH engine, projection), so the client's bodies are checked
// by the same code that will serve Entra. Records every request. Must not be used outside tests;
// it stands in for `src/directory/http/scim-mount.ts` until that mount exists.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  GROUP, USER, ScimError, applyPatch, listInMemory, normalizeResource, parseListQuery, parseAttributeList, project,
  toScimErrorBody, type JsonObject, type MemberRef, type ResourceSchema,
} from '../../../../directory/scim/index.ts';

export interface RecordedRequest {
  method: string;
  /** Path below the SCIM base, e.g. `/Users`. */
  path: string;
  /** Decoded query parameters in order. */
  query: [string, string][];
  contentType: string | undefined;
  body: unknown;
  status: number;
}

export interface FakeScimServer {
  /** The SCIM base URL: `http://127.0.0.1:<port>/scim/v2`. */
  baseUrl: string;
  requests: RecordedRequest[];
  users(): JsonObject[];
  /** Groups with their `members` list. */
  groups(): JsonObject[];
  /** The next `count` requests matching method + path prefix answer `status` with a SCIM error. */
  failNext(method: string, pathPrefix: string, status: 400 | 409 | 500, count?: number): void;
  close(): Promise<void>;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export async function startFakeScimServer(token: string): Promise<FakeScimServer> {
  const expected = digest(`Bearer ${token}`);
  const users = new Map<string, JsonObject>();
  const groups = new Map<string, { resource: JsonObject; members: MemberRef[] }>();
  const requests: RecordedRequest[] = [];
  const faults: { method: string; prefix: string; status: 400 | 409 | 500; left: number }[] = [];

  const withMembers = (id: string): JsonObject => {
    const g = groups.get(id);
    if (!g) throw new ScimError(404, undefined, `group ${id} not found`);
    return { ...g.resource, members: g.members.map((m) => ({ value: m.value })) };
  };

  function handle(method: string, path: string, params: URLSearchParams, body: unknown): { status: number; body?: unknown } {
    const [, collection, id, extra] = path.split('/');
    const schema: ResourceSchema | undefined = collection === 'Users' ? USER : collection === 'Groups' ? GROUP : undefined;
    if (!schema || extra !== undefined) throw new ScimError(404, undefined, `no route ${path}`);
    const isUser = schema === USER;
    const all = (): JsonObject[] => (isUser ? [...users.values()] : [...groups.keys()].map(withMembers));
    if (id === undefined && method === 'GET') return { status: 200, body: listInMemory(all(), parseListQuery(params, schema), schema) };
    if (id === undefined && method === 'POST') {
      const n = normalizeResource(body, schema);
      const newId = randomUUID();
      const resource = { ...n.resource, id: newId, meta: { resourceType: schema.resourceType } };
      if (isUser) {
        const name = String(n.indexed.userName).toLowerCase();
        if ([...users.values()].some((u) => String(u['userName']).toLowerCase() === name)) throw new ScimError(409, 'uniqueness', 'userName taken');
        users.set(newId, resource);
        return { status: 201, body: resource };
      }
      groups.set(newId, { resource, members: n.members ?? [] });
      return { status: 201, body: withMembers(newId) };
    }
    if (id === undefined) throw new ScimError(404, undefined, 'method not allowed');
    const current = isUser ? users.get(id) : groups.has(id) ? withMembers(id) : undefined;
    if (!current) throw new ScimError(404, undefined, `${id} not found`);
    if (method === 'GET') {
      const excluded = params.get('excludedAttributes');
      return { status: 200, body: project(current, schema, { excludedAttributes: excluded ? parseAttributeList(excluded) : undefined }) };
    }
    if (method === 'DELETE') {
      if (isUser) users.delete(id);
      else groups.delete(id);
      return { status: 204 };
    }
    if (method !== 'PATCH') throw new ScimError(404, undefined, 'method not allowed');
    const { members: _m, ...withoutMembers } = current;
    const { resource, memberDelta } = applyPatch(withoutMembers, body, schema);
    if (isUser) {
      users.set(id, resource);
      return { status: 200, body: resource };
    }
    const g = groups.get(id) as { resource: JsonObject; members: MemberRef[] };
    let members = memberDelta.removeAll ? [] : memberDelta.replaceAll ?? g.members;
    members = members.filter((m) => !memberDelta.remove.includes(m.value));
    for (const ref of memberDelta.add) if (!members.some((m) => m.value === ref.value)) members.push(ref);
    groups.set(id, { resource, members });
    return { status: 204 };
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const path = url.pathname.replace(/^\/scim\/v2/, '');
    const record: RecordedRequest = {
      method: req.method ?? 'GET', path, query: [...url.searchParams], contentType: req.headers['content-type'],
      body: text ? JSON.parse(text) as unknown : undefined, status: 0,
    };
    requests.push(record);
    let out: { status: number; body?: unknown };
    try {
      const presented = digest(req.headers.authorization ?? '');
      if (!timingSafeEqual(presented, expected)) throw new ScimError(401, undefined, 'bad token');
      const fault = faults.find((f) => f.left > 0 && f.method === record.method && path.startsWith(f.prefix));
      if (fault) {
        fault.left -= 1;
        throw new ScimError(fault.status, fault.status === 409 ? 'uniqueness' : undefined, 'injected fault');
      }
      out = handle(record.method, path, url.searchParams, record.body);
    } catch (err) {
      const e = toScimErrorBody(err);
      out = { status: Number(e.status), body: e };
    }
    record.status = out.status;
    res.statusCode = out.status;
    if (out.body === undefined) return void res.end();
    res.setHeader('content-type', 'application/scim+json');
    res.end(JSON.stringify(out.body));
  }

  const server = createServer((req, res) => void onRequest(req, res).catch(() => { res.statusCode = 500; res.end(); }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/scim/v2`,
    requests,
    users: () => [...users.values()].map((u) => structuredClone(u)),
    groups: () => [...groups.keys()].map(withMembers),
    failNext: (method, prefix, status, count = 1) => void faults.push({ method, prefix, status, left: count }),
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
