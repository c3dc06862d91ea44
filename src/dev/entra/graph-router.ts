// The Microsoft Graph v1.0 subset: users, groups, memberships (direct and transitive), group delta,
// getMemberObjects and authentication-context class references. Takes and returns plain objects
// (the HTTP adapter lives in server.ts); must not read the network or mutate the directory.
import { z } from 'zod';
import type { Directory, DirectoryObject } from './directory.ts';
import { GraphError } from './errors.ts';
import type { Fixture } from './fixture.ts';
import { runBatch } from './graph-batch.ts';
import { groupsDelta } from './graph-delta.ts';
import { createGroupWrites } from './graph-group-writes.ts';
import { riskRoute, TenantRateLimit } from './graph-risk.ts';
import { applySelect, matchesClauses, paginate, parseFilter, type Item } from './graph-odata.ts';
import {
  GROUP_FILTERABLE, GROUP_SELECTABLE, GROUP_TYPE, graphErrorBody, groupItem, objectItem, USER_FILTERABLE, USER_SELECTABLE, USER_TYPE, userItem,
} from './graph-shapes.ts';
import type { VerifiedAppToken } from './keys.ts';
import { RiskyUsers } from './risky-users.ts';

export interface GraphRequest {
  method: string;
  /** Path below `/v1.0`, e.g. `/users/abc/memberOf`. */
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  clientRequestId: string | undefined;
  body: unknown;
}

export interface GraphResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface GraphDeps {
  directory: Directory;
  fixture: Fixture;
  /** Public Graph base, e.g. `https://graph.microsoft.com`; nextLinks and contexts use it. */
  graphUrl: string;
  verify: (authorization: string | undefined) => Promise<VerifiedAppToken>;
  /** Clock for delta tokens; default Date.now. */
  now?: () => number;
  /** How long a delta token stays valid; default 7 days. */
  deltaRetentionMs?: number;
  /** Groups per `/groups/delta` page; default 100. */
  deltaPageSize?: number;
  /** Identity Protection state (riskyUsers); absent = an empty tenant. */
  risky?: RiskyUsers;
  /** Identity Protection requests per second per tenant; default 1, 0 = unlimited. */
  riskRequestsPerSecond?: number;
  /** How long after a create member adds to the new group fail with 400; default 0. */
  replicationLagMs?: number;
  /** An injected fault for a request inside `$batch` (path with the `/v1.0` prefix). */
  innerFault?: (method: string, path: string) => GraphResponse | undefined;
}

const DEFAULT_DELTA_RETENTION_MS = 7 * 86_400_000;

// Application permissions that grant each kind of read (Graph permissions reference).
const READ_USERS = ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const READ_GROUPS = ['GroupMember.Read.All', 'Group.Read.All', 'Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const READ_MEMBERSHIP = [...new Set([...READ_USERS, ...READ_GROUPS])];
const READ_CA = ['Policy.Read.ConditionalAccess', 'Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess'];

const getMemberObjectsBody = z.object({ securityEnabledOnly: z.boolean() });

function requireRole(token: VerifiedAppToken, accepted: readonly string[]): void {
  if (!token.roles.some((r) => accepted.includes(r))) {
    throw new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
  }
}

function notFound(id: string): GraphError {
  return new GraphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
}

/** An optional OData type-cast segment narrows a directoryObject collection. */
function castFilter(cast: string | undefined): (o: DirectoryObject) => boolean {
  if (!cast) return () => true;
  if (cast === 'microsoft.graph.user') return (o) => o.kind === 'user';
  if (cast === 'microsoft.graph.group') return (o) => o.kind === 'group';
  throw new GraphError(400, 'Request_BadRequest', `Invalid type cast segment '${cast}'.`);
}

export function createGraphHandler(deps: GraphDeps): (req: GraphRequest) => Promise<GraphResponse> {
  const { directory, graphUrl } = deps;
  const now = deps.now ?? Date.now;
  const riskLimit = new TenantRateLimit(deps.riskRequestsPerSecond ?? 1, now);
  const groupWrites = createGroupWrites({ directory, graphUrl, now, replicationLagMs: deps.replicationLagMs ?? 0 });
  const risky = deps.risky ?? new RiskyUsers(directory, now);
  const meta = `${graphUrl}/v1.0/$metadata`;
  const ok = (body: unknown): GraphResponse => ({ status: 200, headers: {}, body });

  const collection = (req: GraphRequest, items: Item[], context: string, kind: 'user' | 'group' | 'mixed'): GraphResponse => {
    const filter = req.query.get('$filter');
    let list = items;
    if (filter !== null) {
      const filterable = kind === 'user' ? USER_FILTERABLE : kind === 'group' ? GROUP_FILTERABLE : new Set(['id', 'displayName']);
      const clauses = parseFilter(filter, filterable);
      list = list.filter((i) => matchesClauses(i, clauses));
    }
    const selectable = kind === 'user' ? USER_SELECTABLE : kind === 'group' ? GROUP_SELECTABLE : new Set([...USER_SELECTABLE, ...GROUP_SELECTABLE]);
    const typeName = kind === 'group' ? 'microsoft.graph.group' : kind === 'user' ? 'microsoft.graph.user' : 'microsoft.graph.directoryObject';
    list = applySelect(list, req.query.get('$select'), selectable, typeName);
    return ok(paginate(list, req.query, `${graphUrl}/v1.0${req.path}`, context));
  };

  const withSelectOnly = (req: GraphRequest) => (req.query.get('$select') ?? '').split(',').map((s) => s.trim()).includes('accountEnabled');

  const route = async (req: GraphRequest): Promise<GraphResponse> => {
    const token = await deps.verify(req.authorization);
    const segments = req.path.split('/').filter(Boolean).map(decodeURIComponent);
    const [root, id, rel, cast, ...extra] = segments;
    const need = (accepted: readonly string[]) => requireRole(token, accepted);
    if (root === '$batch' && req.method === 'POST' && !id) {
      const out = await runBatch(req.body, async (inner) => {
        if (inner.path.split('/')[1] === '$batch') return answer(new GraphError(400, 'Request_BadRequest', 'A batch cannot contain a batch.'), req);
        return deps.innerFault?.(inner.method, `/v1.0${inner.path}`) ?? handle({ ...req, ...inner });
      });
      return { ...out, headers: {} };
    }
    if (root === 'identityProtection') {
      const out = riskRoute({ risky, limit: riskLimit, graphUrl, requireRole: need }, req, segments);
      if (out) return { ...out, headers: {} };
    }
    const written = groupWrites(req, segments, need);
    if (written) return { ...written, headers: {} };
    if (extra.length) throw new GraphError(400, 'Request_BadRequest', `Resource not found for the segment '${extra[0]}'.`);
    const get = req.method === 'GET';

    if (root === 'users') {
      if (!id && get) {
        requireRole(token, READ_USERS);
        return collection(req, directory.users().map((u) => userItem(u, withSelectOnly(req))), `${meta}#users`, 'user');
      }
      const user = id ? directory.user(id) : undefined;
      if (!id || !user) throw notFound(id ?? '');
      if (!rel && get) {
        requireRole(token, READ_USERS);
        const [item] = applySelect([userItem(user, withSelectOnly(req))], req.query.get('$select'), USER_SELECTABLE, 'microsoft.graph.user');
        return ok({ '@odata.context': `${meta}#users/$entity`, ...item });
      }
      if ((rel === 'memberOf' || rel === 'transitiveMemberOf') && get) {
        requireRole(token, READ_MEMBERSHIP);
        const groups = rel === 'memberOf' ? directory.memberOf(user.id) : directory.transitiveMemberOf(user.id);
        const keep = castFilter(cast);
        const items = groups.map((group) => ({ kind: 'group', group }) as const).filter(keep).map((o) => objectItem(o));
        return collection(req, items, `${meta}#directoryObjects`, cast ? 'group' : 'mixed');
      }
      if (rel === 'getMemberObjects' && req.method === 'POST' && !cast) {
        requireRole(token, READ_MEMBERSHIP);
        const body = getMemberObjectsBody.safeParse(req.body);
        if (!body.success) throw new GraphError(400, 'Request_BadRequest', "Invalid request body: the 'securityEnabledOnly' parameter is required.");
        const groups = directory.transitiveMemberOf(user.id).filter((g) => !body.data.securityEnabledOnly || g.securityEnabled);
        return ok({ '@odata.context': `${meta}#Collection(Edm.String)`, value: groups.map((g) => g.id) });
      }
    }

    if (root === 'groups') {
      if (id === 'delta' && !rel && get) {
        requireRole(token, READ_GROUPS);
        return ok(groupsDelta(req.query, {
          directory, selfUrl: `${graphUrl}/v1.0/groups/delta`, context: `${meta}#groups`, now: deps.now ?? Date.now,
          retentionMs: deps.deltaRetentionMs ?? DEFAULT_DELTA_RETENTION_MS, pageSize: deps.deltaPageSize ?? 100,
        }));
      }
      if (!id && get) {
        requireRole(token, READ_GROUPS);
        return collection(req, directory.groups().map(groupItem), `${meta}#groups`, 'group');
      }
      const group = id ? directory.group(id) : undefined;
      if (!id || !group) throw notFound(id ?? '');
      if (!rel && get) {
        requireRole(token, READ_GROUPS);
        const [item] = applySelect([groupItem(group)], req.query.get('$select'), GROUP_SELECTABLE, 'microsoft.graph.group');
        return ok({ '@odata.context': `${meta}#groups/$entity`, ...item });
      }
      if ((rel === 'members' || rel === 'transitiveMembers') && get) {
        requireRole(token, READ_GROUPS);
        const objects = rel === 'members' ? directory.members(group.id) : directory.transitiveMembers(group.id);
        const keep = castFilter(cast);
        const items = objects.filter(keep).map((o) => objectItem(o, withSelectOnly(req)));
        const kind = cast === 'microsoft.graph.user' ? 'user' : cast === 'microsoft.graph.group' ? 'group' : 'mixed';
        return collection(req, items, `${meta}#directoryObjects`, kind);
      }
    }

    if (req.path.replace(/\/$/, '') === '/identity/conditionalAccess/authenticationContextClassReferences' && get) {
      requireRole(token, READ_CA);
      const items = deps.fixture.authenticationContexts.map((c) => ({
        '@odata.type': '#microsoft.graph.authenticationContextClassReference',
        id: c.id,
        displayName: c.displayName,
        description: c.description,
        isAvailable: c.isAvailable,
      }));
      return collection(req, items, `${meta}#identity/conditionalAccess/authenticationContextClassReferences`, 'mixed');
    }

    throw new GraphError(400, 'Request_BadRequest', `Unsupported request: ${req.method} /v1.0${req.path}`);
  };

  const handle = async (req: GraphRequest): Promise<GraphResponse> => {
    try {
      return await route(req);
    } catch (err) {
      if (!(err instanceof GraphError)) throw err;
      return answer(err, req);
    }
  };
  return handle;
}

function answer(err: GraphError, req: Pick<GraphRequest, 'clientRequestId'>): GraphResponse {
  const headers: Record<string, string> = {};
  // RFC 6750 §3: a 401 names the scheme; Graph adds its authorization_uri.
  if (err.status === 401) headers['www-authenticate'] = 'Bearer realm="", error="invalid_token"';
  return { status: err.status, headers, body: graphErrorBody(err.code, err.message, req.clientRequestId) };
}

export { GROUP_TYPE, USER_TYPE };
