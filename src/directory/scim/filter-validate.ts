// Checks a parsed filter against a resource schema and returns it normalised, so that the in-memory
// evaluator and the SQL translation (store) see only meaningful filters. Owns the 400
// `invalidFilter` rules that need the schema; must not evaluate anything.
//
// Rejected (RFC 7644 §3.4.2.2): unknown attributes, a value filter on a non-complex attribute,
// gt/ge/lt/le on boolean or binary, co/sw/ew on boolean or numbers, dateTime values that are not
// xsd:dateTime, a value whose JSON type cannot match the attribute.
// Normalised: a number or boolean compared to a string attribute becomes its string form (bare
// words such as `employeeNumber eq 123` parse as numbers); "true"/"false" strings compared to a
// boolean become booleans.

import type { AttrPath, CompareOp, Filter, FilterValue } from './filter-ast.ts';
import type { AttributeDef, ResourceSchema } from './schemas.ts';
import { findAttr } from './schemas.ts';
import { pathText, resolvePath } from './attr-path.ts';
import { ScimError } from './errors.ts';
import { coerceBoolean, parseDateTime } from './values.ts';

function fail(detail: string): never {
  throw new ScimError(400, 'invalidFilter', detail);
}

export function validateFilter(filter: Filter, schema: ResourceSchema): Filter {
  return check(filter, schema, undefined);
}

/** The compared definition for `path`, at the root or inside `parent[...]`. */
function leaf(path: AttrPath, schema: ResourceSchema, parent: AttributeDef | undefined, forPresence = false): AttributeDef {
  let def: AttributeDef | undefined;
  if (parent === undefined) {
    const r = resolvePath(schema, path);
    if (r === undefined) fail(`unknown attribute "${pathText(path)}"`);
    if (r.kind === 'extension') fail(`"${pathText(path)}" is a schema, not an attribute`);
    def = r.sub ?? r.def;
  } else {
    def = findAttr(parent.subAttributes, path.attr);
    if (def === undefined) fail(`unknown attribute "${parent.name}.${path.attr}"`);
  }
  if (def.type === 'complex' && !forPresence) {
    const value = findAttr(def.subAttributes, 'value');
    if (value === undefined) fail(`"${pathText(path)}" is complex; name a sub-attribute`);
    return value;
  }
  return def;
}

function check(f: Filter, schema: ResourceSchema, parent: AttributeDef | undefined): Filter {
  switch (f.op) {
    case 'and':
    case 'or':
      return { op: f.op, left: check(f.left, schema, parent), right: check(f.right, schema, parent) };
    case 'not':
      return { op: 'not', filter: check(f.filter, schema, parent) };
    case 'pr':
      leaf(f.path, schema, parent, true); // `name pr` is meaningful for any complex attribute
      return f;
    case 'valuePath': {
      const r = resolvePath(schema, f.path);
      if (r === undefined) fail(`unknown attribute "${pathText(f.path)}"`);
      if (r.kind !== 'attr' || r.def.type !== 'complex' || r.sub !== undefined) {
        fail(`a value filter needs a complex attribute, not "${pathText(f.path)}"`);
      }
      return { op: 'valuePath', path: f.path, filter: check(f.filter, schema, r.def) };
    }
    default:
      return { op: f.op, path: f.path, value: checkValue(leaf(f.path, schema, parent), f.op, f.value, f.path) };
  }
}

function checkValue(def: AttributeDef, op: CompareOp, value: FilterValue, path: AttrPath): FilterValue {
  const name = pathText(path);
  const ordering = op === 'gt' || op === 'ge' || op === 'lt' || op === 'le';
  const substring = op === 'co' || op === 'sw' || op === 'ew';
  if (value === null) {
    if (op !== 'eq' && op !== 'ne') fail(`"${op}" cannot compare "${name}" with null`);
    return null;
  }
  switch (def.type) {
    case 'boolean': {
      if (ordering || substring) fail(`"${op}" is not defined for boolean "${name}"`);
      const b = coerceBoolean(value);
      if (b === undefined) fail(`"${name}" is boolean`);
      return b;
    }
    case 'integer':
    case 'decimal':
      if (substring) fail(`"${op}" is not defined for numeric "${name}"`);
      if (typeof value !== 'number') fail(`"${name}" is numeric`);
      return value;
    case 'binary':
      if (ordering) fail(`"${op}" is not defined for binary "${name}"`);
      return String(value);
    case 'dateTime':
      if (typeof value !== 'string') fail(`"${name}" is a dateTime; quote the value`);
      if (!substring && parseDateTime(value) === undefined) fail(`"${value}" is not an xsd:dateTime`);
      return value;
    default:
      return String(value);
  }
}
