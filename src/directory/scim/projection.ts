// `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9): which attributes a response
// carries, honouring each attribute's `returned` characteristic (RFC 7643 §2.4 / §7). Must not
// fetch anything; `isRequested` lets the service skip loading group members it will not return.
//
// Decision on Microsoft's Postman `attributes=emails[type eq "work"]`: the value filter is parsed
// (so garbage is still a 400) and then ignored — the whole `emails` attribute is returned. Filtering
// elements inside `attributes` is not in the RFC and returning a superset cannot hide data a client
// relies on. Unknown names are ignored, as RFC 7644 §3.9 does not make them an error.

import type { AttributeDef, ResourceSchema } from './schemas.ts';
import { findAttr, topLevelAttrs } from './schemas.ts';
import { resolvePath } from './attr-path.ts';
import type { ResolvedPath } from './attr-path.ts';
import { parsePatchPath } from './filter-parser.ts';
import type { AttrPath } from './filter-ast.ts';
import { isObject, keyCI } from './json.ts';
import type { JsonObject } from './json.ts';

export interface Projection {
  attributes?: AttrPath[];
  excludedAttributes?: AttrPath[];
}

/** Splits `a,b.c,urn:…:User:d,emails[type eq "x,y"]` at top-level commas into attribute paths. */
export function parseAttributeList(text: string): AttrPath[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => {
      const pp = parsePatchPath(p, 'invalidValue');
      return pp.sub === undefined ? pp.path : { ...pp.path, sub: pp.sub };
    });
}

type Named = { kind: 'whole' } | { kind: 'subs'; subs: Set<AttributeDef> } | undefined;

function named(paths: ResolvedPath[], container: string | undefined, def: AttributeDef): Named {
  let subs: Set<AttributeDef> | undefined;
  for (const r of paths) {
    if (r.kind === 'extension') {
      if (r.ext.id === container) return { kind: 'whole' };
      continue;
    }
    if (r.def !== def || r.container !== container) continue;
    if (r.sub === undefined) return { kind: 'whole' };
    (subs ??= new Set()).add(r.sub);
  }
  return subs === undefined ? undefined : { kind: 'subs', subs };
}

function resolveAll(schema: ResourceSchema, paths: AttrPath[] | undefined): ResolvedPath[] | undefined {
  if (paths === undefined) return undefined;
  return paths.map((p) => resolvePath(schema, p)).filter((r) => r !== undefined);
}

function pickSubs(def: AttributeDef, value: unknown, keep: (sub: AttributeDef) => boolean): unknown {
  const one = (el: unknown): unknown => {
    if (!isObject(el)) return el;
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(el)) {
      const sub = findAttr(def.subAttributes, k);
      if (sub !== undefined && keep(sub)) out[k] = v;
    }
    return out;
  };
  if (def.type !== 'complex') return value;
  return Array.isArray(value) ? value.map(one).filter((el) => !isObject(el) || Object.keys(el).length > 0) : one(value);
}

function projectValue(def: AttributeDef, value: unknown, container: string | undefined, inc: ResolvedPath[] | undefined, exc: ResolvedPath[] | undefined): unknown {
  if (def.returned === 'never') return undefined;
  const defaultSub = (s: AttributeDef): boolean => s.returned === 'always' || s.returned === 'default';
  if (def.returned === 'always') return pickSubs(def, value, (s) => s.returned !== 'never');
  if (inc !== undefined) {
    const n = named(inc, container, def);
    if (n === undefined) return undefined;
    if (n.kind === 'whole') return pickSubs(def, value, defaultSub);
    return pickSubs(def, value, (s) => s.returned === 'always' || (n.subs.has(s) && s.returned !== 'never'));
  }
  if (def.returned === 'request') return undefined;
  const n = exc === undefined ? undefined : named(exc, container, def);
  if (n?.kind === 'whole') return undefined;
  return pickSubs(def, value, (s) => s.returned === 'always' || (defaultSub(s) && !(n?.kind === 'subs' && n.subs.has(s))));
}

function empty(v: unknown): boolean {
  return v === undefined || (isObject(v) && Object.keys(v).length === 0);
}

export function project(resource: JsonObject, schema: ResourceSchema, projection: Projection = {}): JsonObject {
  const inc = resolveAll(schema, projection.attributes);
  const exc = resolveAll(schema, projection.excludedAttributes);
  const out: JsonObject = {};
  const top = topLevelAttrs(schema);
  for (const [key, value] of Object.entries(resource)) {
    if (key === 'schemas') {
      out[key] = value; // RFC 7644 §3.4.2.5: schemas is in every representation
      continue;
    }
    const ext = schema.extensions.find((e) => e.id.toLowerCase() === key.toLowerCase());
    if (ext !== undefined) {
      if (!isObject(value)) continue;
      const inner: JsonObject = {};
      for (const [k, v] of Object.entries(value)) {
        const def = findAttr(ext.attributes, k);
        const p = def === undefined ? undefined : projectValue(def, v, ext.id, inc, exc);
        if (!empty(p)) inner[k] = p;
      }
      if (Object.keys(inner).length > 0) out[key] = inner;
      continue;
    }
    const def = findAttr(top, key);
    const p = def === undefined ? undefined : projectValue(def, value, undefined, inc, exc);
    if (!empty(p)) out[key] = p;
  }
  return out;
}

/** Whether `name` (a top-level attribute such as `members`) would appear in the response. */
export function isRequested(schema: ResourceSchema, projection: Projection, name: string): boolean {
  const def = findAttr(topLevelAttrs(schema), name);
  if (def === undefined) return false;
  const probe = { [def.name]: def.type === 'complex' ? (def.multiValued ? [{ value: 'x' }] : { value: 'x' }) : 'x' };
  return keyCI(project(probe, schema, projection), def.name) !== undefined;
}
