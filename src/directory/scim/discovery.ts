// The discovery documents (RFC 7644 §4; RFC 7643 §5–7): /ServiceProviderConfig, /ResourceTypes and
// /Schemas, generated from the definitions in schemas.ts so that what we advertise is what we do.
// Must not carry nulls (Entra's /Schemas reader, reference/scim.md §1.9) or advertise attributes
// Entra does not know. Functions take the SCIM base URL (`https://<auth host>/scim/v2`) for
// `meta.location`.

import type { AttributeDef, ResourceSchema, SchemaDef } from './schemas.ts';
import { RESOURCE_SCHEMAS } from './schemas.ts';
import { LIST_RESPONSE_SCHEMA } from './list.ts';
import { MAX_PAGE_SIZE } from './limits.ts';
import type { JsonObject } from './json.ts';

const SPC_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

function trim(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

export function serviceProviderConfig(baseUrl: string, options: { maxResults?: number } = {}): JsonObject {
  return {
    schemas: [SPC_SCHEMA],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: options.maxResults ?? MAX_PAGE_SIZE },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'Authentication with a bearer token (RFC 6750) issued by `moatless scim token create`',
        specUri: 'https://www.rfc-editor.org/rfc/rfc6750',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${trim(baseUrl)}/ServiceProviderConfig` },
  };
}

export function resourceType(baseUrl: string, schema: ResourceSchema): JsonObject {
  return {
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: schema.resourceType,
    name: schema.resourceType,
    endpoint: schema.endpoint,
    description: schema.core.description,
    schema: schema.core.id,
    schemaExtensions: schema.extensions.map((e) => ({ schema: e.id, required: false })),
    meta: { resourceType: 'ResourceType', location: `${trim(baseUrl)}/ResourceTypes/${schema.resourceType}` },
  };
}

function attributeDoc(def: AttributeDef): JsonObject {
  const doc: JsonObject = {
    name: def.name,
    type: def.type,
    multiValued: def.multiValued,
    description: def.description,
    required: def.required,
    caseExact: def.caseExact,
    mutability: def.mutability,
    returned: def.returned,
    uniqueness: def.uniqueness,
  };
  if (def.subAttributes !== undefined) doc['subAttributes'] = def.subAttributes.map(attributeDoc);
  if (def.canonicalValues !== undefined && def.canonicalValues.length > 0) doc['canonicalValues'] = def.canonicalValues;
  if (def.referenceTypes !== undefined) doc['referenceTypes'] = def.referenceTypes;
  return doc;
}

export function schemaDocument(baseUrl: string, def: SchemaDef): JsonObject {
  return {
    schemas: [SCHEMA_SCHEMA],
    id: def.id,
    name: def.name,
    description: def.description,
    attributes: def.attributes.map(attributeDoc),
    meta: { resourceType: 'Schema', location: `${trim(baseUrl)}/Schemas/${def.id}` },
  };
}

function allSchemas(): SchemaDef[] {
  return RESOURCE_SCHEMAS.flatMap((r) => [r.core, ...r.extensions]);
}

function listOf(resources: JsonObject[]): JsonObject {
  return { schemas: [LIST_RESPONSE_SCHEMA], totalResults: resources.length, startIndex: 1, itemsPerPage: resources.length, Resources: resources };
}

export function resourceTypesDocument(baseUrl: string): JsonObject {
  return listOf(RESOURCE_SCHEMAS.map((r) => resourceType(baseUrl, r)));
}

export function schemasDocument(baseUrl: string): JsonObject {
  return listOf(allSchemas().map((s) => schemaDocument(baseUrl, s)));
}

/** `/ResourceTypes/User` (case-insensitive name) or undefined for a 404. */
export function findResourceType(baseUrl: string, name: string): JsonObject | undefined {
  const r = RESOURCE_SCHEMAS.find((x) => x.resourceType.toLowerCase() === name.toLowerCase());
  return r === undefined ? undefined : resourceType(baseUrl, r);
}

/** `/Schemas/<urn>` (case-insensitive URN) or undefined for a 404. */
export function findSchema(baseUrl: string, urn: string): JsonObject | undefined {
  const s = allSchemas().find((x) => x.id.toLowerCase() === urn.toLowerCase());
  return s === undefined ? undefined : schemaDocument(baseUrl, s);
}
