// The /Groups resource (RFC 7644 §3.3–3.6) on the store. Owns: the Group flow and member effects.
// Must not: read a group's member list unless the response returns it — `excludedAttributes=members`
// and every PATCH (Entra adds one member at a time to groups of 100,000) work on counts and deltas.
import type { GroupRecord, GroupRow, MemberDelta as StoreDelta, TxStore } from '../store/ports.ts';
import { applyPatch, buildListResponse, deepEqual, GROUP, isEmptyDelta, isRequested, normalizeResource, parseListQuery, project } from './scim/index.ts';
import type { JsonObject, MemberDelta, Projection } from './scim/index.ts';
import type { ProvisioningEffects } from './provisioning-effects.ts';
import { inChange, retryKey } from './scim-change.ts';
import { checkIfMatch, etagOf, fromStoreError, newId, notFound, storedJson, withMeta } from './scim-meta.ts';
import { projectionOf } from './scim-query.ts';
import type { ScimContext, ScimRequest, ScimResponse, ScimServiceDeps } from './scim-types.ts';

const MEMBER_PAGE = 1000;
type Member = { id: string; displayName: string };

function rowOf(id: string, resource: JsonObject, createdAt: number, now: number): GroupRow {
  const displayName = typeof resource['displayName'] === 'string' ? resource['displayName'] : '';
  const externalId = typeof resource['externalId'] === 'string' ? resource['externalId'] : null;
  return { id, externalId, displayName, raw: storedJson(resource), version: 1, createdAt, lastModified: now };
}

function memberJson(ctx: ScimContext, m: Member): JsonObject {
  return { value: m.id, display: m.displayName, type: 'User', $ref: `${ctx.baseUrl}/Users/${m.id}` };
}

/** Every member, read page by page from the store (never one unbounded query). */
async function allMembers(tx: Pick<TxStore, 'directory'>, dirId: string, groupId: string): Promise<Member[]> {
  const out: Member[] = [];
  for (let start = 1; ; start += MEMBER_PAGE) {
    const page = await tx.directory.groups.members(dirId, groupId, { startIndex: start, count: MEMBER_PAGE });
    out.push(...page.items);
    if (page.items.length < MEMBER_PAGE || out.length >= page.total) return out;
  }
}

async function render(tx: Pick<TxStore, 'directory'>, ctx: ScimContext, g: GroupRecord, projection: Projection): Promise<JsonObject> {
  const full = withMeta(g, 'Group', ctx.baseUrl);
  if (isRequested(GROUP, projection, 'members') && g.memberCount > 0) {
    full['members'] = (await allMembers(tx, ctx.directoryId, g.id)).map((m) => memberJson(ctx, m));
  }
  return project(full, GROUP, projection);
}

function audit(operation: string, g: Pick<GroupRow, 'id' | 'externalId'> | null) {
  return { operation, resourceType: 'Group' as const, resourceId: g?.id ?? null, externalId: g?.externalId ?? null };
}

function toStoreDelta(d: MemberDelta, now: number): StoreDelta {
  return {
    add: d.add.map((m) => m.value), remove: d.remove,
    ...(d.replaceAll ? { replaceAll: d.replaceAll.map((m) => m.value) } : {}),
    ...(d.removeAll ? { removeAll: true } : {}),
    modifiedAt: now,
  };
}

/**
 * Applies a delta and records its effects. Unknown ids are skipped by the store (Microsoft's test
 * collection adds "string id 1" and expects 204); only users actually added or removed are affected.
 */
export async function applyDelta(tx: TxStore, fx: ProvisioningEffects, dirId: string, groupId: string, delta: StoreDelta): Promise<void> {
  const r = await tx.directory.groups.applyMembers(dirId, groupId, delta);
  if (!r) throw notFound('Group', groupId);
  for (const u of await tx.directory.users.getMany(dirId, [...r.added, ...r.removed])) fx.membershipChanged(u);
  await fx.checkNoGroups(tx, r.removed);
}

export async function listGroups(deps: ScimServiceDeps, ctx: ScimContext, req: ScimRequest): Promise<ScimResponse> {
  const q = parseListQuery(req.query, GROUP);
  const projection = { attributes: q.attributes, excludedAttributes: q.excludedAttributes };
  const withMembers = isRequested(GROUP, projection, 'members');
  const { total, items } = await deps.store.directory.groups
    .list(ctx.directoryId, { filter: q.filter, sortBy: q.sortBy, sortOrder: q.sortOrder, startIndex: q.startIndex, count: q.count, withMembers })
    .catch((e: unknown) => { throw fromStoreError(e, 'Group'); });
  const page = items.map((g) => {
    const full = withMeta(g, 'Group', ctx.baseUrl);
    if (g.members && g.members.length > 0) full['members'] = g.members.map((m) => memberJson(ctx, m));
    return project(full, GROUP, projection);
  });
  return { status: 200, headers: {}, body: buildListResponse(page, total, q), audit: audit('list groups', null) };
}

export async function getGroup(deps: ScimServiceDeps, ctx: ScimContext, req: ScimRequest, id: string): Promise<ScimResponse> {
  const projection = projectionOf(req.query);
  const g = await deps.store.directory.groups.get(ctx.directoryId, id);
  if (!g) throw notFound('Group', id);
  return { status: 200, headers: { etag: etagOf(g.version) }, body: await render(deps.store, ctx, g, projection), audit: audit('get group', g) };
}

export async function createGroup(deps: ScimServiceDeps, ctx: ScimContext, req: ScimRequest): Promise<ScimResponse> {
  const projection = projectionOf(req.query);
  const n = normalizeResource(req.body, GROUP);
  const row = rowOf(newId(), n.resource, ctx.now, ctx.now);
  const created = await inChange(deps, ctx, undefined, async (tx, fx) => {
    await tx.directory.groups.create(ctx.directoryId, row);
    const ids = (n.members ?? []).map((m) => m.value);
    if (ids.length > 0) await applyDelta(tx, fx, ctx.directoryId, row.id, { add: ids, remove: [] });
    return tx.directory.groups.get(ctx.directoryId, row.id);
  }).catch((e: unknown) => { throw fromStoreError(e, 'Group'); });
  if (!created) throw notFound('Group', row.id);
  const body = await render(deps.store, ctx, created, projection);
  return { status: 201, headers: { location: `${ctx.baseUrl}/Groups/${row.id}`, etag: etagOf(created.version) }, body, audit: audit('create group', created) };
}

export async function replaceGroup(deps: ScimServiceDeps, ctx: ScimContext, req: ScimRequest, id: string): Promise<ScimResponse> {
  const projection = projectionOf(req.query);
  const n = normalizeResource(req.body, GROUP);
  const stored = await inChange(deps, ctx, retryKey(req, ctx, 'Group', id), async (tx, fx) => {
    const current = await tx.directory.groups.get(ctx.directoryId, id);
    if (!current) throw notFound('Group', id);
    checkIfMatch(req.headers.ifMatch, current.version);
    await tx.directory.groups.replace(ctx.directoryId, id, rowOf(id, n.resource, current.createdAt, ctx.now), current.version);
    // PUT replaces every readWrite attribute (RFC 7644 §3.5.1); members absent from the body are kept
    // as they are, since Entra never PUTs groups and wiping a group by omission is the worse failure.
    if (n.members !== undefined) await applyDelta(tx, fx, ctx.directoryId, id, { add: [], remove: [], replaceAll: n.members.map((m) => m.value), modifiedAt: ctx.now });
    return tx.directory.groups.get(ctx.directoryId, id);
  }).catch((e: unknown) => { throw fromStoreError(e, 'Group'); });
  if (!stored) throw notFound('Group', id);
  const body = await render(deps.store, ctx, stored, projection);
  return { status: 200, headers: { etag: etagOf(stored.version) }, body, audit: audit('replace group', stored) };
}

/** Attribute changes and the member delta commit together or not at all; 204 as Entra expects (§1.8). */
export async function patchGroup(deps: ScimServiceDeps, ctx: ScimContext, req: ScimRequest, id: string): Promise<ScimResponse> {
  const stored = await inChange(deps, ctx, retryKey(req, ctx, 'Group', id), async (tx, fx) => {
    const current = await tx.directory.groups.get(ctx.directoryId, id);
    if (!current) throw notFound('Group', id);
    checkIfMatch(req.headers.ifMatch, current.version);
    const { resource, memberDelta } = applyPatch(withMeta(current, 'Group', ctx.baseUrl), req.body, GROUP);
    const next = rowOf(id, resource, current.createdAt, ctx.now);
    // Member-only PATCHes (nearly all of Entra's) leave the row alone: no version race between
    // concurrent PATCHes of one group. Compared as JSON because PostgreSQL's JSONB reorders keys.
    if (!deepEqual(JSON.parse(next.raw), JSON.parse(current.raw))) await tx.directory.groups.replace(ctx.directoryId, id, next, current.version);
    if (!isEmptyDelta(memberDelta)) await applyDelta(tx, fx, ctx.directoryId, id, toStoreDelta(memberDelta, ctx.now));
    return tx.directory.groups.get(ctx.directoryId, id);
  }).catch((e: unknown) => { throw fromStoreError(e, 'Group'); });
  if (!stored) throw notFound('Group', id);
  return { status: 204, headers: { etag: etagOf(stored.version) }, audit: audit('patch group', stored) };
}

export async function deleteGroup(deps: ScimServiceDeps, ctx: ScimContext, req: ScimRequest, id: string): Promise<ScimResponse> {
  const gone = await inChange(deps, ctx, undefined, async (tx, fx) => {
    const current = await tx.directory.groups.get(ctx.directoryId, id);
    if (!current) throw notFound('Group', id);
    checkIfMatch(req.headers.ifMatch, current.version);
    // Every member's groups change; naming them is inherently proportional to the group.
    const members = current.memberCount > 0 ? await allMembers(tx, ctx.directoryId, id) : [];
    await tx.directory.groups.delete(ctx.directoryId, id);
    for (const u of await tx.directory.users.getMany(ctx.directoryId, members.map((m) => m.id))) fx.membershipChanged(u);
    await fx.checkNoGroups(tx, members.map((m) => m.id));
    return current;
  });
  return { status: 204, headers: {}, audit: audit('delete group', gone) };
}
