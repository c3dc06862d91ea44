// Public face of the SCIM 2.0 protocol core: plain objects in, plain objects out. The service and
// the HTTP adapter import from here only; the store imports `filter-ast.ts` directly.

export type { AttrPath, CompareOp, Filter, FilterValue } from './filter-ast.ts';
export { ScimError, isScimError, toScimErrorBody, ERROR_SCHEMA } from './errors.ts';
export type { ScimErrorBody, ScimStatus, ScimType } from './errors.ts';
export {
  USER, GROUP, RESOURCE_SCHEMAS, USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE_USER_SCHEMA, MS_GROUP_SCHEMA,
  findAttr, findExtension,
} from './schemas.ts';
export type { AttributeDef, AttrType, Mutability, ResourceSchema, Returned, SchemaDef, Uniqueness } from './schemas.ts';
export { resolvePath, pathText } from './attr-path.ts';
export type { ResolvedPath } from './attr-path.ts';
export {
  serviceProviderConfig, resourceTypesDocument, schemasDocument, resourceType, schemaDocument,
  findResourceType, findSchema,
} from './discovery.ts';
export { parseFilter, parsePatchPath } from './filter-parser.ts';
export type { ParseOptions, PatchPath } from './filter-parser.ts';
export { printFilter } from './filter-print.ts';
export { validateFilter } from './filter-validate.ts';
export { evaluateFilter, compareForSort } from './filter-eval.ts';
export { applyPatch, parsePatchRequest, PATCH_OP_SCHEMA } from './patch.ts';
export type { PatchOperation, PatchResult } from './patch.ts';
export type { PatchVerb } from './patch-attr.ts';
export { emptyDelta, isEmptyDelta } from './member-delta.ts';
export type { MemberDelta, MemberRef } from './member-delta.ts';
export { normalizeResource, extractIndexed } from './resource.ts';
export type { IndexedFields, NormalizedResource } from './resource.ts';
export { project, parseAttributeList, isRequested } from './projection.ts';
export type { Projection } from './projection.ts';
export { parseListQuery, buildListResponse, listInMemory, LIST_RESPONSE_SCHEMA, DEFAULT_PAGE_SIZE } from './list.ts';
export {
  SCIM_LIMITS, MAX_OPERATIONS, MAX_FILTER_LENGTH, MAX_FILTER_DEPTH, MAX_PAGE_SIZE, checkStorable, checkStorableJson,
} from './limits.ts';
export type { ListQuery, ListOptions, ListResponse } from './list.ts';
export { parseDateTime, isPresent } from './values.ts';
export type { JsonObject } from './json.ts';
export { deepEqual } from './json.ts';
