// The SCIM PATCH engine (RFC 7644 §3.5.2): validates a PatchOp message and applies it all or
// nothing to a copy of the resource. Owns operation dispatch, path-less add/replace (incl. Entra's
// dotted and URN-prefixed keys), mutability checks and group member routing. Must not mutate its
// input, do I/O, or need a group's member list: member operations come back as a `MemberDelta`.
// The service, not this engine, updates `meta.lastModified`/`meta.version`.
//
// Interop choices (reference/scim.md §1.4–1.10): `op` is case-insensitive; an empty Operations list
// is a no-op; a readOnly attribute may be "set" to its current value (no-op), any other change is
// 400 mutability; unknown keys inside a path-less value are ignored like unknown attributes in POST,
// while an unknown `path` is 400 invalidPath; removing members that are not in the group is a no-op.

import type { Filter } from './filter-ast.ts';
import type { AttributeDef, ResourceSchema, SchemaDef } from './schemas.ts';
import { findAttr } from './schemas.ts';
import { ScimError } from './errors.ts';
import { deepEqual, getCI, isObject, keyCI } from './json.ts';
import type { JsonObject } from './json.ts';
import { parsePatchPath } from './filter-parser.ts';
import type { PatchPath } from './filter-parser.ts';
import { resolvePath } from './attr-path.ts';
import { validateFilter } from './filter-validate.ts';
import { coerceSingle, isPresent } from './values.ts';
import { applyToAttr } from './patch-attr.ts';
import type { PatchVerb } from './patch-attr.ts';
import { addMembers, emptyDelta, removeAllMembers, removeMembers, replaceMembers } from './member-delta.ts';
import type { MemberDelta, MemberRef } from './member-delta.ts';
import { checkCount, MAX_OPERATIONS } from './limits.ts';

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export interface PatchOperation {
  op: PatchVerb;
  path: string | undefined;
  value: unknown;
}

export interface PatchResult {
  resource: JsonObject;
  memberDelta: MemberDelta;
}

function syntax(detail: string): never {
  throw new ScimError(400, 'invalidSyntax', detail);
}

/** Validates the PatchOp envelope (RFC 7644 §3.5.2) and returns its operations. */
export function parsePatchRequest(body: unknown): PatchOperation[] {
  if (!isObject(body)) syntax('PATCH body must be a JSON object');
  const schemas = getCI(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase())) {
    syntax(`schemas must contain "${PATCH_OP_SCHEMA}"`);
  }
  const ops = getCI(body, 'Operations');
  if (!Array.isArray(ops)) syntax('Operations must be an array');
  if (ops.length > MAX_OPERATIONS) throw new ScimError(413, 'tooMany', `more than ${MAX_OPERATIONS} operations`);
  return ops.map((raw, i): PatchOperation => {
    if (!isObject(raw)) syntax(`Operations[${i}] must be an object`);
    const op = getCI(raw, 'op');
    const verb = typeof op === 'string' ? op.toLowerCase() : undefined;
    if (verb !== 'add' && verb !== 'replace' && verb !== 'remove') syntax(`Operations[${i}].op must be add, replace or remove`);
    const path = getCI(raw, 'path');
    if (path !== undefined && path !== null && typeof path !== 'string') syntax(`Operations[${i}].path must be a string`);
    const hasPath = typeof path === 'string' && path.trim() !== '';
    return { op: verb, path: hasPath ? path : undefined, value: getCI(raw, 'value') };
  });
}

interface Ctx {
  work: JsonObject;
  schema: ResourceSchema;
  delta: MemberDelta;
  /** Members named so far, over all operations (SCIM_LIMITS.members bounds one request). */
  named: number;
}

export function applyPatch(resource: JsonObject, request: unknown, schema: ResourceSchema): PatchResult {
  const ops = parsePatchRequest(request);
  // All or nothing: every change lands on a deep copy that is discarded if any operation throws.
  const ctx: Ctx = { work: structuredClone(resource), schema, delta: emptyDelta(), named: 0 };
  ops.forEach((op, i) => {
    try {
      applyOne(ctx, op);
    } catch (err) {
      if (err instanceof ScimError) throw new ScimError(err.status, err.scimType, `Operations[${i}]: ${err.detail}`, { cause: err });
      throw err;
    }
  });
  syncSchemas(ctx.work, schema);
  return { resource: ctx.work, memberDelta: ctx.delta };
}

function applyOne(ctx: Ctx, op: PatchOperation): void {
  if (op.path !== undefined) return applyAt(ctx, op.op, parsePatchPath(op.path), op.value, op.path);
  // RFC 7644 §3.5.2.2: remove without a path is noTarget.
  if (op.op === 'remove') throw new ScimError(400, 'noTarget', 'remove requires a path');
  if (!isObject(op.value)) throw new ScimError(400, 'invalidValue', 'an operation without path needs an object value');
  for (const [key, v] of Object.entries(op.value)) {
    if (key.toLowerCase() === 'schemas') continue;
    const ext = ctx.schema.extensions.find((e) => e.id.toLowerCase() === key.toLowerCase());
    if (ext !== undefined) {
      applyExtension(ctx, op.op, ext, v, true);
      continue;
    }
    let parsed: PatchPath;
    try {
      parsed = parsePatchPath(key);
    } catch {
      continue; // not an attribute name at all: ignored like any unknown attribute
    }
    if (resolvePath(ctx.schema, parsed.path) === undefined) continue;
    applyAt(ctx, op.op, parsed, v, key);
  }
}

function applyExtension(ctx: Ctx, verb: PatchVerb, ext: SchemaDef, value: unknown, lenient: boolean): void {
  if (verb === 'remove' || !isPresent(value)) {
    const k = keyCI(ctx.work, ext.id);
    if (k !== undefined) delete ctx.work[k];
    return;
  }
  if (!isObject(value)) throw new ScimError(400, 'invalidValue', `${ext.id} must be an object`);
  for (const [key, v] of Object.entries(value)) {
    const parsed = parsePatchPath(`${ext.id}:${key}`);
    if (resolvePath(ctx.schema, parsed.path) === undefined) {
      if (lenient) continue;
      throw new ScimError(400, 'invalidPath', `unknown attribute "${ext.id}:${key}"`);
    }
    applyAt(ctx, verb, parsed, v, key);
  }
}

function applyAt(ctx: Ctx, verb: PatchVerb, pp: PatchPath, value: unknown, text: string): void {
  const r = resolvePath(ctx.schema, pp.path);
  if (r === undefined) throw new ScimError(400, 'invalidPath', `unknown attribute path "${text}"`);
  if (r.kind === 'extension') {
    if (pp.filter !== undefined) throw new ScimError(400, 'invalidPath', `"${text}" names a schema`);
    return applyExtension(ctx, verb, r.ext, value, false);
  }
  const { def } = r;
  const sub = r.sub ?? (pp.sub === undefined ? undefined : findAttr(def.subAttributes, pp.sub));
  if (pp.sub !== undefined && sub === undefined) throw new ScimError(400, 'invalidPath', `unknown attribute path "${text}"`);
  if (pp.filter !== undefined && def.type !== 'complex') {
    throw new ScimError(400, 'invalidPath', `"${def.name}" has no sub-attributes to filter on`);
  }
  const filter = pp.filter === undefined ? undefined : checkFilter(ctx, pp, text);
  if (ctx.schema.resourceType === 'Group' && r.container === undefined && def.name === 'members') {
    return applyMembers(ctx, verb, filter, sub, value, text);
  }
  let holder: JsonObject = ctx.work;
  if (r.container !== undefined) {
    const k = keyCI(ctx.work, r.container);
    const existing = k === undefined ? undefined : ctx.work[k];
    if (isObject(existing)) holder = existing;
    else if (verb === 'remove') return;
    else holder = ctx.work[r.container] = {};
  }
  if (def.mutability === 'readOnly' || sub?.mutability === 'readOnly') {
    return checkReadOnly(holder, def.name, sub?.name, verb, value, text);
  }
  applyToAttr(verb, { holder, def, sub, filter, schema: ctx.schema }, value);
}

function checkFilter(ctx: Ctx, pp: PatchPath, text: string): Filter {
  try {
    const checked = validateFilter({ op: 'valuePath', path: pp.path, filter: pp.filter as Filter }, ctx.schema);
    return (checked as { filter: Filter }).filter;
  } catch (err) {
    if (err instanceof ScimError) throw new ScimError(400, 'invalidPath', `"${text}": ${err.detail}`);
    throw err;
  }
}

/** Setting a readOnly attribute to its current value is harmless (clients echo `id`); changing it is not. */
function checkReadOnly(holder: JsonObject, name: string, sub: string | undefined, verb: PatchVerb, value: unknown, text: string): void {
  let current = getCI(holder, name);
  if (sub !== undefined) current = isObject(current) ? getCI(current, sub) : undefined;
  if (verb !== 'remove' && deepEqual(current, value)) return;
  throw new ScimError(400, 'mutability', `"${text}" is read-only`);
}

function membersDef(ctx: Ctx, text: string): AttributeDef {
  const def = findAttr(ctx.schema.core.attributes, 'members');
  if (def === undefined) throw new ScimError(400, 'invalidPath', `"${text}" is not an attribute`);
  return def;
}

/** Counts members named across all operations: one request changes at most SCIM_LIMITS.members. */
function name(ctx: Ctx, count: number, text: string): void {
  ctx.named += count;
  checkCount(membersDef(ctx, text), ctx.named, 'members named in one request');
}

function memberRefs(ctx: Ctx, value: unknown, text: string): MemberRef[] {
  const def = membersDef(ctx, text);
  const items = Array.isArray(value) ? value : value === null || value === undefined ? [] : [value];
  name(ctx, items.length, text);
  // Every element must name a member: silently dropping `{display: "Bob"}` would hide a client bug.
  return items.map((item, i) => {
    const m = coerceSingle(def, item, `${text}[${i}]`);
    if (!isObject(m) || typeof m['value'] !== 'string') throw new ScimError(400, 'invalidValue', `${text}[${i}] needs a value`);
    return m as unknown as MemberRef;
  });
}

/** `members[value eq "a" or value eq "b"]` → ["a", "b"]; anything else needs the member list. */
function memberIds(f: Filter): string[] | undefined {
  if (f.op === 'or') {
    const l = memberIds(f.left);
    const r = memberIds(f.right);
    return l === undefined || r === undefined ? undefined : [...l, ...r];
  }
  if (f.op === 'eq' && f.path.attr === 'value' && typeof f.value === 'string') return [f.value];
  return undefined;
}

function applyMembers(ctx: Ctx, verb: PatchVerb, filter: Filter | undefined, sub: unknown, value: unknown, text: string): void {
  if (sub !== undefined) throw new ScimError(400, 'invalidPath', `"${text}": member sub-attributes cannot be patched`);
  if (filter !== undefined) {
    const ids = memberIds(filter);
    if (verb !== 'remove' || ids === undefined) {
      throw new ScimError(400, 'invalidPath', `"${text}": only remove members[value eq "<id>"] is supported`);
    }
    name(ctx, ids.length, text);
    ctx.delta = removeMembers(ctx.delta, ids);
    return;
  }
  if (verb === 'remove') {
    // Entra without aadOptscim062020 sends remove + value list meaning "exactly these" (§1.8).
    const refs = isPresent(value) ? memberRefs(ctx, value, text) : undefined;
    ctx.delta = refs === undefined ? removeAllMembers() : removeMembers(ctx.delta, refs.map((m) => m.value));
    return;
  }
  const refs = memberRefs(ctx, value, text);
  ctx.delta = verb === 'add' ? addMembers(ctx.delta, refs) : replaceMembers(refs);
}

/** `schemas` lists the core schema and exactly the extensions that hold a value (RFC 7643 §3). */
export function syncSchemas(work: JsonObject, schema: ResourceSchema): void {
  const list = [schema.core.id];
  for (const ext of schema.extensions) {
    const k = keyCI(work, ext.id);
    if (k === undefined) continue;
    const v = work[k];
    delete work[k];
    if (isPresent(v)) {
      work[ext.id] = v;
      list.push(ext.id);
    }
  }
  work['schemas'] = list;
}
