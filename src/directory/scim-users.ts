// The /Users resource (RFC 7644 §3.3–3.6): list, read, create, replace, patch and delete, on the
// store, with deprovisioning effects. Owns: the User flow. Must not: read HTTP objects, or leave a
// deactivated user's session alive once the response is sent (reference/scim.md §1.5, §5.5).
import type { TxStore, UserRow } from '../store/ports.ts';
import { applyPatch, buildListResponse, extractIndexed, isRequested, normalizeResource, parseListQuery, project, USER } from './scim/index.ts';
import type { IndexedFields, JsonObject, Projection } from './scim/index.ts';
import type { ProvisioningEffects } from './provisioning-effects.ts';
import { inChange, retryKey } from './scim-change.ts';
import { checkIfMatch, etagOf, fromStoreError, newId, notFound, storedJson, withMeta } from './scim-meta.ts';
import { projectionOf } from './scim-query.ts';
import type { ScimContext, ScimRequest, ScimResponse, ScimServiceDeps } from './scim-types.ts';

function rowOf(id: string, resource: JsonObject, ix: IndexedFields, createdAt: number, now: number): UserRow {
  return {
    id, externalId: ix.externalId, userName: ix.userName ?? '', active: ix.active, displayName: ix.displayName,
    email: ix.email, givenName: ix.givenName, familyName: ix.familyName, raw: storedJson(resource),
    version: 1, createdAt, lastModified: now,
  };
}

async function render(tx: Pick<TxStore, 'directory'>, ctx: ScimContext, row: UserRow, projection: Projection): Promise<JsonObject> {
  const full = withMeta(row, 'User', ctx.baseUrl);
  // `groups` is readOnly and lives in membership rows (RFC 7643 §4.1.2); only single reads pay for it.
  if (isRequested(USER, projection, 'groups')) {
    const groups = await tx.directory.groups.groupsOfUser(ctx.directoryId, row.id);
    if (groups.length > 0) {
      full['groups'] = groups.map((g) => ({ value: g.id, display: g.displayName, type: 'direct', $ref: `${ctx.baseUrl}/Groups/${g.id}` }));
    }
  }
  return project(full, USER, projection);
}

function audit(operation: string, row: Pick<UserRow, 'id' | 'externalId'> | null) {
  return { operation, resourceType: 'User' as const, resourceId: row?.id ?? null, externalId: row?.externalId ?? null };
}

/** Any write that leaves the user inactive revokes (again, idempotently): deactivation is the trigger. */
function effectsOf(fx: ProvisioningEffects, before: UserRow | null, after: UserRow): void {
  if (before) fx.changed(before);
  if (!after.active) fx.deprovision(after);
  else fx.changed(after);
}

export async function listUsers(deps: ScimServiceDeps, ctx: ScimContext, req: ScimRequest): Promise<ScimResponse> {
  const q = parseListQuery(req.query, USER);
  const { total, items } = await deps.store.directory.users
    .list(ctx.directoryId, { filter: q.filter, sortBy: q.sortBy, sortOrder: q.sortOrder, startIndex: q.startIndex, count: q.count })
    .catch((e: unknown) => { throw fromStoreError(e, 'User'); });
  const projection = { attributes: q.attributes, excludedAttributes: q.excludedAttributes };
  const page = items.map((r) => project(withMeta(r, 'User', ctx.baseUrl), USER, projection));
  return { status: 200, headers: {}, body: buildListResponse(page, total, q), audit: audit('list users', null) };
}

export async function getUser(deps: ScimServiceDeps, ctx: ScimContext, req: ScimRequest, id: string): Promise<ScimResponse> {
  const projection = projectionOf(req.query);
  const row = await deps.store.directory.users.get(ctx.directoryId, id);
  if (!row) throw notFound('User', id);
  return { status: 200, headers: { etag: etagOf(row.version) }, body: await render(deps.store, ctx, row, projection), audit: audit('get user', row) };
}

export async function createUser(deps: ScimServiceDeps, ctx: ScimContext, req: ScimRequest): Promise<ScimResponse> {
  const projection = projectionOf(req.query);
  const n = normalizeResource(req.body, USER);
  const row = rowOf(newId(), n.resource, n.indexed, ctx.now, ctx.now);
  await inChange(deps, ctx, undefined, async (tx, fx) => {
    await tx.directory.users.create(ctx.directoryId, row);
    effectsOf(fx, null, row);
  }).catch((e: unknown) => { throw fromStoreError(e, 'User'); });
  const body = await render(deps.store, ctx, row, projection);
  const location = `${ctx.baseUrl}/Users/${row.id}`;
  return { status: 201, headers: { location, etag: etagOf(row.version) }, body, audit: audit('create user', row) };
}

async function update(
  deps: ScimServiceDeps, ctx: ScimContext, req: ScimRequest, id: string,
  next: (current: UserRow) => { resource: JsonObject; indexed: IndexedFields },
): Promise<UserRow> {
  return inChange(deps, ctx, retryKey(req, ctx, 'User', id), async (tx, fx) => {
    const current = await tx.directory.users.get(ctx.directoryId, id);
    if (!current) throw notFound('User', id);
    checkIfMatch(req.headers.ifMatch, current.version);
    const n = next(current);
    const stored = await tx.directory.users.replace(ctx.directoryId, id, rowOf(id, n.resource, n.indexed, current.createdAt, ctx.now), current.version);
    if (!stored) throw notFound('User', id);
    effectsOf(fx, current, stored);
    return stored;
  }).catch((e: unknown) => { throw fromStoreError(e, 'User'); });
}

export async function replaceUser(deps: ScimServiceDeps, ctx: ScimContext, req: ScimRequest, id: string): Promise<ScimResponse> {
  const projection = projectionOf(req.query);
  const n = normalizeResource(req.body, USER);
  const stored = await update(deps, ctx, req, id, () => n);
  const body = await render(deps.store, ctx, stored, projection);
  return { status: 200, headers: { etag: etagOf(stored.version) }, body, audit: audit('replace user', stored) };
}

/** 204 like Microsoft's Postman collection asserts; RFC 7644 §3.5.2 allows 200 or 204. */
export async function patchUser(deps: ScimServiceDeps, ctx: ScimContext, req: ScimRequest, id: string): Promise<ScimResponse> {
  const stored = await update(deps, ctx, req, id, (current) => {
    const { resource } = applyPatch(withMeta(current, 'User', ctx.baseUrl), req.body, USER);
    return { resource, indexed: extractIndexed(resource) };
  });
  return { status: 204, headers: { etag: etagOf(stored.version) }, audit: audit('patch user', stored) };
}

export async function deleteUser(deps: ScimServiceDeps, ctx: ScimContext, req: ScimRequest, id: string): Promise<ScimResponse> {
  const gone = await inChange(deps, ctx, undefined, async (tx, fx) => {
    const current = await tx.directory.users.get(ctx.directoryId, id);
    if (!current) throw notFound('User', id);
    checkIfMatch(req.headers.ifMatch, current.version);
    await tx.directory.users.delete(ctx.directoryId, id);
    fx.deprovision(current);
    return current;
  });
  return { status: 204, headers: {}, audit: audit('delete user', gone) };
}
