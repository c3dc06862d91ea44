// Coerces untrusted attribute values to the canonical shape their definition prescribes (RFC 7643
// §2.3 data types, §2.4 multi-valued, §2.5 unassigned). Shared by resource normalisation and PATCH
// so both accept exactly the same inputs. Must not apply mutability rules beyond stripping readOnly
// sub-attributes from client input (callers decide what readOnly means for them).
//
// Interop leniency, all observed from Entra or Microsoft's Postman collection (reference/scim.md):
// booleans as "True"/"False"; a complex attribute with a `value` sub-attribute given as a bare string
// (`manager: "<id>"`, members `"string id 1"`); a singular attribute given as a one-element array;
// a multi-valued attribute given as one element; sub-attribute keys in any case (`Primary`, `Value`).
// `null`, `""`, `[]` and `{}` all mean "unassigned" and come back as undefined.

import type { AttributeDef } from './schemas.ts';
import { findAttr } from './schemas.ts';
import { ScimError } from './errors.ts';
import { isObject } from './json.ts';
import type { JsonObject } from './json.ts';
import { checkCount, checkLength } from './limits.ts';

const DATE_TIME_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** xsd:dateTime (RFC 7643 §2.3.5) → epoch milliseconds; fractions beyond milliseconds are truncated. */
export function parseDateTime(text: string): number | undefined {
  const m = DATE_TIME_RE.exec(text);
  if (m === null) return undefined;
  const fraction = (m[2] ?? '.0').slice(0, 4).padEnd(4, '0');
  const ms = Date.parse(`${m[1]}${fraction}${(m[3] as string).toUpperCase()}`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** RFC 7643 §2.5: null, empty strings, empty arrays and objects without present values are unassigned. */
export function isPresent(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return false;
  if (Array.isArray(v)) return v.some(isPresent);
  if (isObject(v)) return Object.values(v).some(isPresent);
  return true;
}

export function coerceBoolean(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const lower = v.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return undefined;
}

function invalid(where: string, expected: string): never {
  throw new ScimError(400, 'invalidValue', `${where}: expected ${expected}`);
}

/** One element (or the single value) of `def`, ignoring multiValued. */
export function coerceSingle(def: AttributeDef, raw: unknown, where: string): unknown {
  if (raw === null || raw === undefined) return undefined;
  switch (def.type) {
    case 'string':
    case 'reference':
    case 'binary':
      if (typeof raw !== 'string') invalid(where, 'a string');
      checkLength(def, raw, where);
      return raw === '' ? undefined : raw;
    case 'boolean': {
      const b = coerceBoolean(raw);
      return b === undefined ? invalid(where, 'a boolean') : b;
    }
    case 'integer':
      if (typeof raw !== 'number' || !Number.isSafeInteger(raw)) invalid(where, 'an integer');
      return raw;
    case 'decimal':
      if (typeof raw !== 'number' || !Number.isFinite(raw)) invalid(where, 'a number');
      return raw;
    case 'dateTime':
      if (typeof raw !== 'string' || (raw !== '' && parseDateTime(raw) === undefined)) {
        invalid(where, 'an xsd:dateTime string');
      }
      return raw === '' ? undefined : raw;
    case 'complex':
      return coerceComplex(def, raw, where);
  }
}

function coerceComplex(def: AttributeDef, raw: unknown, where: string): JsonObject | undefined {
  const subs = def.subAttributes ?? [];
  if (typeof raw === 'string' && findAttr(subs, 'value') !== undefined) raw = { value: raw };
  if (!isObject(raw)) invalid(where, 'an object');
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(raw)) {
    const sub = findAttr(subs, key);
    // Unknown sub-attributes are ignored like unknown attributes; readOnly ones are the server's.
    if (sub === undefined || sub.mutability === 'readOnly') continue;
    const value = coerceSingle(sub, v, `${where}.${sub.name}`);
    if (value !== undefined) out[sub.name] = value;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** The full value of `def`: an array for multi-valued attributes, undefined when unassigned. */
export function coerceValue(def: AttributeDef, raw: unknown, where: string = def.name): unknown {
  if (def.multiValued) {
    const items = Array.isArray(raw) ? raw : [raw];
    checkCount(def, items.length, where);
    const out = items.map((item, i) => coerceSingle(def, item, `${where}[${i}]`)).filter((x) => x !== undefined);
    return out.length === 0 ? undefined : keepOnePrimary(out);
  }
  if (Array.isArray(raw)) {
    if (raw.length === 0) return undefined;
    if (raw.length > 1) invalid(where, 'a single value');
    raw = raw[0];
  }
  return coerceSingle(def, raw, where);
}

/** RFC 7643 §2.4: `primary: true` appears at most once; the first one wins. */
export function keepOnePrimary(items: unknown[]): unknown[] {
  let seen = false;
  return items.map((item) => {
    if (!isObject(item) || item['primary'] !== true) return item;
    if (!seen) {
      seen = true;
      return item;
    }
    const { primary: _drop, ...rest } = item;
    return rest;
  });
}
