// Every size limit of the SCIM core in one place, and the text no backend can store. Owns: the
// numbers (docs/scim.md "Limits" lists them for operators) and the checks that answer 400
// `invalidValue` before anything is written. Must not: know resource flows or the store.
//
// Why up front: a write that is stored must also be announced to every replica after commit; an
// oversized value must be refused while refusing is still clean, never answered 500 once saved.
// The numbers leave room above what Entra sends: its longest user strings are displayName (256)
// and streetAddress (1024), userPrincipalName is at most 113 characters.

import type { AttributeDef } from './schemas.ts';
import { ScimError } from './errors.ts';
import { isObject } from './json.ts';

export const SCIM_LIMITS = {
  /** Characters in a string attribute: userName, externalId, displayName, emails' value, name parts… */
  string: 256,
  /** Characters in a free-text attribute: `streetAddress` and every `formatted`. */
  text: 1024,
  /** Characters in a reference (a URI: profileUrl, photos' value, $ref). */
  reference: 2048,
  /** Characters in a binary value (base64; x509Certificates' value). */
  binary: 8192,
  /** Elements of one multi-valued attribute (emails, phoneNumbers, addresses…) after a write. */
  values: 100,
  /** Members named by one POST, PUT or PATCH of a group (Entra sends about 100 per PATCH). */
  members: 1000,
} as const;

/** PATCH operations in one request (RFC 7644 §3.5.2); more is 413 `tooMany`. */
export const MAX_OPERATIONS = 1000;
/** Characters in a filter or a PATCH path. */
export const MAX_FILTER_LENGTH = 4096;
/** Parenthesis and `not` nesting in a filter. */
export const MAX_FILTER_DEPTH = 32;
/** Resources in one list response (`count` above it is lowered to it). */
export const MAX_PAGE_SIZE = 1000;

const FREE_TEXT = new Set(['formatted', 'streetAddress']);

export function maxLength(def: AttributeDef): number {
  if (def.type === 'reference') return SCIM_LIMITS.reference;
  if (def.type === 'binary') return SCIM_LIMITS.binary;
  return FREE_TEXT.has(def.name) ? SCIM_LIMITS.text : SCIM_LIMITS.string;
}

/** Limits count characters (code points), as a person would; UTF-16 length bounds it from above. */
export function checkLength(def: AttributeDef, value: string, where: string): void {
  const max = maxLength(def);
  if (value.length <= max || [...value].length <= max) return;
  throw new ScimError(400, 'invalidValue', `${where}: longer than ${max} characters`);
}

export function checkCount(def: AttributeDef, count: number, where: string): void {
  const max = def.name === 'members' ? SCIM_LIMITS.members : SCIM_LIMITS.values;
  if (count > max) throw new ScimError(400, 'invalidValue', `${where}: more than ${max} values`);
}

/**
 * NUL and unpaired UTF-16 surrogates: SQLite stores them, PostgreSQL's text and JSONB refuse them.
 * Refused on both so the two backends answer alike (and the same bytes never mean two things).
 */
export function isStorable(s: string): boolean {
  return !s.includes('\u0000') && s.isWellFormed();
}

function unstorable(where: string): ScimError {
  return new ScimError(400, 'invalidValue', `${where} contains a NUL character or an unpaired surrogate`);
}

export function checkStorable(s: string, where: string): void {
  if (!isStorable(s)) throw unstorable(where);
}

/** Every string of a parsed JSON value, object keys included; iterative, so depth cannot overflow. */
export function checkStorableJson(value: unknown, where: string): void {
  const stack: [unknown, string][] = [[value, where]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [v, at] = next;
    if (typeof v === 'string') checkStorable(v, at);
    else if (Array.isArray(v)) v.forEach((x, i) => stack.push([x, `${at}[${i}]`]));
    else if (isObject(v)) {
      for (const [k, x] of Object.entries(v)) {
        if (!isStorable(k)) throw unstorable(`a key in ${at}`);
        stack.push([x, `${at}.${k}`]);
      }
    }
  }
}
