// Normalises an incoming User or Group body for POST/PUT (RFC 7644 §3.3, §3.5.1) into the canonical
// JSON the store keeps, and extracts the columns the store indexes. Must not assign `id`/`meta`
// (the service does) nor keep group members inside the resource (they are returned separately,
// because the store keeps them as rows).
//
// Leniency (Entra and Microsoft's Postman collection, reference/scim.md §1–2): keys in any case
// (`DisplayName`, `Primary`, `Manager: {Value}`), "True"/"False" booleans, unknown attributes and
// unknown schema URIs ignored, readOnly attributes (`id`, `meta`, `groups`) dropped.

import type { ResourceSchema } from './schemas.ts';
import { findAttr, findExtension, topLevelAttrs } from './schemas.ts';
import { ScimError } from './errors.ts';
import { getCI, isObject } from './json.ts';
import type { JsonObject } from './json.ts';
import { coerceValue } from './values.ts';
import { syncSchemas } from './patch.ts';
import type { MemberRef } from './member-delta.ts';

export interface IndexedFields {
  userName: string | null;
  externalId: string | null;
  active: boolean;
  displayName: string | null;
  /** The primary email, else the first `work` email. */
  email: string | null;
  givenName: string | null;
  familyName: string | null;
}

export interface NormalizedResource {
  resource: JsonObject;
  indexed: IndexedFields;
  /** Group members named in the body; undefined when the body has no `members` key. */
  members: MemberRef[] | undefined;
}

function copyAttrs(target: JsonObject, source: JsonObject, defs: ReturnType<typeof topLevelAttrs>, prefix: string): void {
  for (const [key, raw] of Object.entries(source)) {
    const def = findAttr(defs, key);
    if (def === undefined || def.mutability === 'readOnly') continue;
    const value = coerceValue(def, raw, `${prefix}${def.name}`);
    if (value !== undefined) target[def.name] = value;
  }
}

export function normalizeResource(body: unknown, schema: ResourceSchema): NormalizedResource {
  if (!isObject(body)) throw new ScimError(400, 'invalidSyntax', 'body must be a JSON object');
  const schemas = getCI(body, 'schemas');
  if (schemas !== undefined && (!Array.isArray(schemas) || !schemas.every((s) => typeof s === 'string'))) {
    throw new ScimError(400, 'invalidSyntax', 'schemas must be an array of strings');
  }
  const out: JsonObject = {};
  const rest: JsonObject = {};
  for (const [key, raw] of Object.entries(body)) {
    const ext = findExtension(schema, key);
    if (ext !== undefined) {
      if (raw === null) continue;
      if (!isObject(raw)) throw new ScimError(400, 'invalidValue', `${ext.id} must be an object`);
      const inner: JsonObject = {};
      copyAttrs(inner, raw, ext.attributes, `${ext.id}:`);
      out[ext.id] = inner;
    } else if (key.toLowerCase() !== 'schemas') {
      rest[key] = raw;
    }
  }
  copyAttrs(out, rest, topLevelAttrs(schema), '');
  for (const def of schema.core.attributes) {
    if (def.required && out[def.name] === undefined) {
      throw new ScimError(400, 'invalidValue', `"${def.name}" is required`);
    }
  }
  let members: MemberRef[] | undefined;
  if (schema.resourceType === 'Group') {
    members = getCI(body, 'members') === undefined ? undefined : ((out['members'] as MemberRef[] | undefined) ?? []);
    for (const [i, m] of (members ?? []).entries()) {
      if (typeof m.value !== 'string') throw new ScimError(400, 'invalidValue', `members[${i}] needs a value`);
    }
    delete out['members'];
  }
  syncSchemas(out, schema);
  const ordered: JsonObject = { schemas: out['schemas'] };
  for (const [k, v] of Object.entries(out)) if (k !== 'schemas') ordered[k] = v;
  return { resource: ordered, indexed: extractIndexed(ordered), members };
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** The store's real columns, from a canonical resource (also after PATCH). */
export function extractIndexed(resource: JsonObject): IndexedFields {
  const name = isObject(resource['name']) ? resource['name'] : {};
  const emails = Array.isArray(resource['emails']) ? resource['emails'].filter(isObject) : [];
  const email = emails.find((e) => e['primary'] === true) ?? emails.find((e) => str(e['type'])?.toLowerCase() === 'work');
  return {
    userName: str(resource['userName']),
    externalId: str(resource['externalId']),
    // Absent `active` means enabled: RFC 7643 §4.1.1 leaves the default to the provider.
    active: resource['active'] !== false,
    displayName: str(resource['displayName']),
    email: email === undefined ? null : str(email['value']),
    givenName: str(name['givenName']),
    familyName: str(name['familyName']),
  };
}
