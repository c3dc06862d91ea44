// Evaluates a `Filter` against one resource in memory (RFC 7644 §3.4.2.2) and orders resources for
// `sortBy` (§3.4.2.3). It is the reference semantics the SQL translation is fuzzed against, so every
// rule is explicit here. Must not throw on odd data: values of the wrong type simply do not match.
// (Run validateFilter first: it rejects unknown attributes and operator/type combinations.)
//
// Semantics:
// - Strings compare per the attribute's caseExact (false → case-insensitive, RFC 7643 §2.2).
// - dateTime compares as instants for eq/ne/gt/ge/lt/le and as text for co/sw/ew.
// - Multi-valued attributes, and `attr.sub` over them, match when any element matches.
// - A complex attribute compared without a sub-attribute compares its `value` (`manager eq "id"`).
// - `ne` is `not eq`, so it matches resources without the attribute; `eq null` ≡ `not pr`.
// - `pr`: null, "", [] and objects without present values are absent (RFC 7643 §2.5).

import type { AttrPath, Filter, FilterValue } from './filter-ast.ts';
import type { AttributeDef, ResourceSchema } from './schemas.ts';
import { findAttr } from './schemas.ts';
import { resolvePath } from './attr-path.ts';
import { getCI, isObject } from './json.ts';
import type { JsonObject } from './json.ts';
import { coerceBoolean, isPresent, parseDateTime } from './values.ts';

interface Found {
  /** The definition of the compared values (the sub-attribute when one was named). */
  def: AttributeDef;
  values: unknown[];
}

type Scope = (path: AttrPath, obj: JsonObject) => Found | undefined;

function flat(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** Narrows complex values to `sub` (or to `value` when no sub is named and one exists). */
function narrow(def: AttributeDef, sub: AttributeDef | undefined, raw: unknown): Found {
  const target = sub ?? (def.type === 'complex' ? findAttr(def.subAttributes, 'value') : undefined);
  if (target === undefined) return { def, values: flat(raw) };
  const values = flat(raw).flatMap((el) => (isObject(el) ? flat(getCI(el, target.name)) : []));
  return { def: target, values };
}

function rootScope(schema: ResourceSchema): Scope {
  return (path, resource) => {
    const r = resolvePath(schema, path);
    if (r === undefined || r.kind !== 'attr') return undefined;
    const holder = r.container === undefined ? resource : getCI(resource, r.container);
    if (!isObject(holder)) return { def: r.sub ?? r.def, values: [] };
    return narrow(r.def, r.sub, getCI(holder, r.def.name));
  };
}

function elementScope(parent: AttributeDef): Scope {
  return (path, element) => {
    const def = findAttr(parent.subAttributes, path.attr);
    if (def === undefined || path.sub !== undefined || path.schema !== undefined) return undefined;
    return narrow(def, undefined, getCI(element, def.name));
  };
}

export function evaluateFilter(filter: Filter, resource: JsonObject, schema: ResourceSchema): boolean {
  return evalNode(filter, resource, rootScope(schema), schema);
}

function evalNode(f: Filter, obj: JsonObject, scope: Scope, schema: ResourceSchema): boolean {
  switch (f.op) {
    case 'and':
      return evalNode(f.left, obj, scope, schema) && evalNode(f.right, obj, scope, schema);
    case 'or':
      return evalNode(f.left, obj, scope, schema) || evalNode(f.right, obj, scope, schema);
    case 'not':
      return !evalNode(f.filter, obj, scope, schema);
    case 'valuePath': {
      const r = resolvePath(schema, f.path);
      if (r === undefined || r.kind !== 'attr' || r.def.type !== 'complex' || r.sub !== undefined) return false;
      const holder = r.container === undefined ? obj : getCI(obj, r.container);
      if (!isObject(holder)) return false;
      const inner = elementScope(r.def);
      return flat(getCI(holder, r.def.name)).some((el) => isObject(el) && evalNode(f.filter, el, inner, schema));
    }
    case 'pr': {
      const found = scope(f.path, obj);
      return found !== undefined && found.values.some(isPresent);
    }
    default: {
      const found = scope(f.path, obj);
      if (found === undefined) return f.op === 'ne';
      if (f.value === null) {
        const present = found.values.some(isPresent);
        return f.op === 'eq' ? !present : f.op === 'ne' ? present : false;
      }
      if (f.op === 'ne') return !found.values.some((v) => compare(found.def, 'eq', v, f.value));
      return found.values.some((v) => compare(found.def, f.op, v, f.value));
    }
  }
}

type Op = Exclude<Filter['op'], 'and' | 'or' | 'not' | 'pr' | 'valuePath'>;

function fold(def: AttributeDef, s: string): string {
  return def.caseExact ? s : s.toLowerCase();
}

function compare(def: AttributeDef, op: Op, actual: unknown, expected: FilterValue): boolean {
  switch (def.type) {
    case 'boolean': {
      const a = coerceBoolean(actual);
      const e = coerceBoolean(expected);
      return a !== undefined && e !== undefined && op === 'eq' && a === e;
    }
    case 'integer':
    case 'decimal':
      return typeof actual === 'number' && typeof expected === 'number' && order(op, actual, expected);
    case 'dateTime': {
      if (typeof actual !== 'string' || typeof expected !== 'string') return false;
      if (op === 'co' || op === 'sw' || op === 'ew') return text(op, actual.toLowerCase(), expected.toLowerCase());
      const a = parseDateTime(actual);
      const e = parseDateTime(expected);
      return a !== undefined && e !== undefined && order(op, a, e);
    }
    case 'complex':
      return false;
    default: {
      if (typeof actual !== 'string' || typeof expected !== 'string') return false;
      const a = fold(def, actual);
      const e = fold(def, expected);
      return op === 'co' || op === 'sw' || op === 'ew' ? text(op, a, e) : order(op, a, e);
    }
  }
}

function text(op: 'co' | 'sw' | 'ew', a: string, e: string): boolean {
  if (op === 'co') return a.includes(e);
  return op === 'sw' ? a.startsWith(e) : a.endsWith(e);
}

function order<T extends number | string>(op: Op, a: T, e: T): boolean {
  switch (op) {
    case 'eq': return a === e;
    case 'ne': return a !== e;
    case 'gt': return a > e;
    case 'ge': return a >= e;
    case 'lt': return a < e;
    case 'le': return a <= e;
    default: return false;
  }
}

/** The value a resource sorts by: for multi-valued attributes the primary (else first) element's. */
function sortKey(resource: JsonObject, sortBy: AttrPath, schema: ResourceSchema): { def: AttributeDef; value: unknown } | undefined {
  const r = resolvePath(schema, sortBy);
  if (r === undefined || r.kind !== 'attr') return undefined;
  const holder = r.container === undefined ? resource : getCI(resource, r.container);
  if (!isObject(holder)) return undefined;
  let raw = getCI(holder, r.def.name);
  if (r.def.multiValued && Array.isArray(raw)) {
    raw = raw.find((el) => isObject(el) && el['primary'] === true) ?? raw[0];
  }
  const found = narrow(r.def, r.sub, raw);
  const value = found.values.find(isPresent);
  return value === undefined ? undefined : { def: found.def, value };
}

/**
 * Ascending comparator for `sortBy`; resources without a value sort last (RFC 7644 §3.4.2.3), so
 * negating it for `descending` puts them first, as the RFC requires. Ties return 0.
 */
export function compareForSort(a: JsonObject, b: JsonObject, sortBy: AttrPath, schema: ResourceSchema): number {
  const ka = sortKey(a, sortBy, schema);
  const kb = sortKey(b, sortBy, schema);
  if (ka === undefined || kb === undefined) return ka === kb ? 0 : ka === undefined ? 1 : -1;
  let x: unknown = ka.value;
  let y: unknown = kb.value;
  if (ka.def.type === 'dateTime' && typeof x === 'string' && typeof y === 'string') {
    x = parseDateTime(x) ?? x;
    y = parseDateTime(y) ?? y;
  } else if (typeof x === 'string' && typeof y === 'string') {
    x = fold(ka.def, x);
    y = fold(ka.def, y);
  } else if (typeof x === 'boolean' && typeof y === 'boolean') {
    x = Number(x);
    y = Number(y);
  }
  if (typeof x !== typeof y) return String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
  return (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
}

/** Whether one element of the complex attribute `parent` satisfies a value filter's inner filter. */
export function matchesElement(filter: Filter, element: JsonObject, parent: AttributeDef, schema: ResourceSchema): boolean {
  return evalNode(filter, element, elementScope(parent), schema);
}
