// Attribute-level PATCH operations (RFC 7644 §3.5.2.1–3) on a working copy of a resource: plain,
// sub-attribute and value-filtered targets. Owns the add/replace/remove semantics and the Entra
// interop choices below. Must not touch group members (patch.ts routes them to member-delta) and
// must only ever mutate the working copy it is given.
//
// Choices:
// - add ≡ replace for singular attributes; on a singular complex attribute both merge the given
//   sub-attributes (RFC 7644 §3.5.2.3 says replace leaves unnamed sub-attributes unchanged).
// - null, "", [] values mean "unassign" for add and replace (RFC 7643 §2.5; Microsoft's validator
//   clears with empty strings and nulls).
// - A value filter matching nothing: remove is a no-op (idempotent for Entra); add/replace create
//   the element when the filter is `sub eq "x"` (or an `and` of those) — Entra sets mail through
//   `emails[type eq "work"].value` — and otherwise answer 400 noTarget.
// - remove on a multi-valued attribute with a `value` list removes only the listed elements.
// - An element left without any sub-attribute besides type/primary is dropped.

import type { Filter } from './filter-ast.ts';
import type { AttributeDef, ResourceSchema } from './schemas.ts';
import { findAttr } from './schemas.ts';
import { ScimError } from './errors.ts';
import { getCI, isObject, keyCI } from './json.ts';
import type { JsonObject } from './json.ts';
import { coerceSingle, coerceValue, isPresent } from './values.ts';
import { matchesElement } from './filter-eval.ts';
import { checkCount } from './limits.ts';

export type PatchVerb = 'add' | 'replace' | 'remove';

export interface AttrTarget {
  holder: JsonObject;
  def: AttributeDef;
  /** Sub-attribute from `attr.sub` (no filter) or from `attr[filter].sub`. */
  sub: AttributeDef | undefined;
  filter: Filter | undefined;
  schema: ResourceSchema;
}

const IDENTITY_SUBS = new Set(['type', 'primary']);

function getRaw(holder: JsonObject, def: AttributeDef): unknown {
  return getCI(holder, def.name);
}

/** Writes under the canonical name, dropping any differently-cased duplicate key. */
function put(holder: JsonObject, name: string, value: unknown): void {
  const existing = keyCI(holder, name);
  if (existing !== undefined) delete holder[existing];
  if (isPresent(value)) holder[name] = value;
}

function meaningful(el: unknown): boolean {
  return isObject(el) && Object.entries(el).some(([k, v]) => !IDENTITY_SUBS.has(k) && isPresent(v));
}

/** Merges raw sub-attribute values into `base`; unassigned values delete the sub-attribute. */
function mergeComplex(def: AttributeDef, base: unknown, raw: unknown, where: string): JsonObject | undefined {
  if (Array.isArray(raw) && raw.length <= 1) raw = raw[0];
  if (raw === null || raw === undefined || raw === '') return undefined;
  if (typeof raw === 'string' && findAttr(def.subAttributes, 'value') !== undefined) raw = { value: raw };
  if (!isObject(raw)) throw new ScimError(400, 'invalidValue', `${where}: expected an object`);
  const out: JsonObject = isObject(base) ? { ...base } : {};
  for (const [key, v] of Object.entries(raw)) {
    const sub = findAttr(def.subAttributes, key);
    if (sub === undefined || sub.mutability === 'readOnly') continue;
    put(out, sub.name, coerceSingle(sub, v, `${where}.${sub.name}`));
  }
  // `manager: {value: ""}` clears the manager entirely (Microsoft validator test 25).
  const valueDef = findAttr(def.subAttributes, 'value');
  if (valueDef !== undefined && !isPresent(out['value'])) return undefined;
  return isPresent(out) ? out : undefined;
}

function sameElement(def: AttributeDef, a: JsonObject, b: JsonObject): boolean {
  const valueDef = findAttr(def.subAttributes, 'value');
  if (valueDef === undefined || typeof a['value'] !== 'string' || typeof b['value'] !== 'string') return false;
  const fold = (s: string): string => (valueDef.caseExact ? s : s.toLowerCase());
  return fold(a['value']) === fold(b['value']) && (a['type'] ?? null) === (b['type'] ?? null);
}

/** RFC 7643 §2.4: when `winner` is primary, no other element may be. */
function onePrimary(items: JsonObject[], winner: JsonObject | undefined): JsonObject[] {
  if (winner === undefined || winner['primary'] !== true) return items;
  return items.map((el) => {
    if (el === winner || el['primary'] !== true) return el;
    const { primary: _drop, ...rest } = el;
    return rest;
  });
}

function elements(holder: JsonObject, def: AttributeDef): JsonObject[] {
  const raw = getRaw(holder, def);
  if (raw === undefined || raw === null) return [];
  return (Array.isArray(raw) ? raw : [raw]).filter(isObject).map((el) => ({ ...el }));
}

/** A list may not grow past the limit; one stored before the limit existed may still shrink. */
function putList(holder: JsonObject, def: AttributeDef, items: unknown[]): void {
  const before = getRaw(holder, def);
  if (items.length > (Array.isArray(before) ? before.length : 1)) checkCount(def, items.length, def.name);
  put(holder, def.name, items);
}

function putElements(holder: JsonObject, def: AttributeDef, items: JsonObject[]): void {
  const kept = items.filter(meaningful);
  if (def.multiValued) putList(holder, def, kept);
  else put(holder, def.name, kept[0]);
}

export function applyToAttr(verb: PatchVerb, t: AttrTarget, value: unknown): void {
  if (t.filter !== undefined) return applyFiltered(verb, t, value);
  if (t.sub !== undefined) return applySub(verb, t, value);
  const { holder, def } = t;
  if (verb === 'remove') {
    if (def.required) throw new ScimError(400, 'invalidValue', `required attribute "${def.name}" cannot be removed`);
    if (def.multiValued && def.type === 'complex' && isPresent(value)) {
      const doomed = (coerceValue(def, value) as JsonObject[] | undefined) ?? [];
      const kept = elements(holder, def).filter((el) => !doomed.some((d) => sameElement(def, el, { type: el['type'], ...d })));
      return putElements(holder, def, kept);
    }
    return put(holder, def.name, undefined);
  }
  if (def.type === 'complex' && !def.multiValued) {
    return put(holder, def.name, mergeComplex(def, getRaw(holder, def), value, def.name));
  }
  const coerced = coerceValue(def, value);
  if (def.required && coerced === undefined) {
    throw new ScimError(400, 'invalidValue', `required attribute "${def.name}" cannot be unassigned`);
  }
  if (!def.multiValued || verb === 'replace' || coerced === undefined) return put(holder, def.name, coerced);
  // add on multi-valued appends, merging an element equal by value and type (RFC 7644 §3.5.2.1).
  let items = elements(holder, def);
  for (const item of coerced as unknown[]) {
    if (!isObject(item)) {
      if (!items.some((x) => x === item)) items.push(item as JsonObject);
      continue;
    }
    const at = items.findIndex((el) => sameElement(def, el, item));
    if (at === -1) items.push(item);
    else items[at] = { ...items[at], ...item };
    items = onePrimary(items, item);
  }
  putList(holder, def, def.type === 'complex' ? items.filter(meaningful) : items);
}

function applySub(verb: PatchVerb, t: AttrTarget, value: unknown): void {
  const { holder, def } = t;
  const sub = t.sub as AttributeDef;
  const coerced = verb === 'remove' ? undefined : coerceValue(sub, value, `${def.name}.${sub.name}`);
  let items = elements(holder, def);
  if (items.length === 0 && coerced !== undefined) items = [{}];
  items = items.map((el) => {
    const next = { ...el };
    put(next, sub.name, coerced);
    return next;
  });
  if (!def.multiValued) return put(holder, def.name, isPresent(items[0]) ? items[0] : undefined);
  putElements(holder, def, items);
}

/** `{type: "work"}` from `type eq "work"` (or an `and` of such), for creating a missing element. */
function template(f: Filter, def: AttributeDef): JsonObject | undefined {
  if (f.op === 'and') {
    const l = template(f.left, def);
    const r = template(f.right, def);
    return l === undefined || r === undefined ? undefined : { ...l, ...r };
  }
  if (f.op !== 'eq' || f.path.sub !== undefined || f.value === null) return undefined;
  const sub = findAttr(def.subAttributes, f.path.attr);
  return sub === undefined ? undefined : { [sub.name]: f.value };
}

function applyFiltered(verb: PatchVerb, t: AttrTarget, value: unknown): void {
  const { holder, def, sub, schema } = t;
  const filter = t.filter as Filter;
  let items = elements(holder, def);
  const hits = items.filter((el) => matchesElement(filter, el, def, schema));
  if (verb === 'remove') {
    if (sub === undefined) return putElements(holder, def, items.filter((el) => !hits.includes(el)));
    for (const el of hits) put(el, sub.name, undefined);
    return putElements(holder, def, items);
  }
  const where = `${def.name}[…]${sub === undefined ? '' : `.${sub.name}`}`;
  const update = (el: JsonObject): JsonObject => {
    if (sub !== undefined) {
      const next = { ...el };
      put(next, sub.name, coerceValue(sub, value, where));
      return next;
    }
    return mergeElement(def, el, value, where);
  };
  if (hits.length === 0) {
    const base = template(filter, def);
    if (base === undefined) throw new ScimError(400, 'noTarget', `no ${def.name} element matches the filter`);
    const created = update(base);
    if (!meaningful(created)) return; // nothing to clear
    items = onePrimary([...items, created], created);
    return putElements(holder, def, items);
  }
  const updated = items.map((el) => (hits.includes(el) ? update(el) : el));
  const winner = updated.find((el, i) => hits.includes(items[i] as JsonObject) && el['primary'] === true);
  putElements(holder, def, onePrimary(updated, winner));
}

function mergeElement(def: AttributeDef, el: JsonObject, value: unknown, where: string): JsonObject {
  if (value === null || value === undefined || value === '') return {};
  if (!isObject(value)) throw new ScimError(400, 'invalidValue', `${where}: expected an object`);
  const next = { ...el };
  for (const [key, v] of Object.entries(value)) {
    const sub = findAttr(def.subAttributes, key);
    if (sub === undefined || sub.mutability === 'readOnly') continue;
    put(next, sub.name, coerceSingle(sub, v, `${where}.${sub.name}`));
  }
  return next;
}
