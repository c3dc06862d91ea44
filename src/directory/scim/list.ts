// List queries (RFC 7644 §3.4.2): parses query parameters from a plain URLSearchParams into a typed
// `ListQuery`, builds the ListResponse, and pages in-memory collections with the same rules the
// store must follow. Must not read HTTP objects or the store.
//
// Paging (§3.4.2.4): startIndex is 1-based, <1 or not an integer → 1; count negative → 0, not an
// integer or absent → the default page size, above the server maximum → the maximum. Parameter
// names are case-insensitive; unknown parameters (e.g. `aadOptscim062020`) are ignored; a repeated
// `filter` is 400 (taking either one could widen the result).

import type { AttrPath, Filter } from './filter-ast.ts';
import type { ResourceSchema } from './schemas.ts';
import { ScimError } from './errors.ts';
import { parseFilter } from './filter-parser.ts';
import type { ParseOptions } from './filter-parser.ts';
import { validateFilter } from './filter-validate.ts';
import { compareForSort, evaluateFilter } from './filter-eval.ts';
import { parseAttributeList, project } from './projection.ts';
import { resolvePath } from './attr-path.ts';
import type { JsonObject } from './json.ts';
import { MAX_PAGE_SIZE } from './limits.ts';

export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const DEFAULT_PAGE_SIZE = 100;

export interface ListQuery {
  filter: Filter | undefined;
  sortBy: AttrPath | undefined;
  sortOrder: 'ascending' | 'descending';
  startIndex: number;
  count: number;
  attributes: AttrPath[] | undefined;
  excludedAttributes: AttrPath[] | undefined;
}

export interface ListOptions extends ParseOptions {
  defaultCount?: number;
  maxCount?: number;
}

export interface ListResponse {
  schemas: [typeof LIST_RESPONSE_SCHEMA];
  totalResults: number;
  startIndex?: number;
  itemsPerPage?: number;
  Resources?: JsonObject[];
}

function integer(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*[+-]?\d+\s*$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

export function parseListQuery(params: URLSearchParams, schema: ResourceSchema, options: ListOptions = {}): ListQuery {
  const values = new Map<string, string[]>();
  for (const [k, v] of params) {
    const key = k.toLowerCase();
    values.set(key, [...(values.get(key) ?? []), v]);
  }
  const one = (name: string): string | undefined => values.get(name.toLowerCase())?.[0];
  const filters = values.get('filter') ?? [];
  if (filters.length > 1) throw new ScimError(400, 'invalidFilter', 'filter given more than once');
  const filterText = filters[0];
  const filter = filterText === undefined ? undefined : validateFilter(parseFilter(filterText, options), schema);

  const sortText = one('sortBy');
  let sortBy: AttrPath | undefined;
  if (sortText !== undefined && sortText.trim() !== '') {
    const [path, ...more] = parseAttributeList(sortText);
    if (path === undefined || more.length > 0 || resolvePath(schema, path)?.kind !== 'attr') {
      throw new ScimError(400, 'invalidValue', `sortBy "${sortText}" is not a single known attribute`);
    }
    sortBy = path;
  }
  const orderText = one('sortOrder')?.toLowerCase();
  if (orderText !== undefined && orderText !== 'ascending' && orderText !== 'descending') {
    throw new ScimError(400, 'invalidValue', 'sortOrder must be ascending or descending');
  }
  const max = options.maxCount ?? MAX_PAGE_SIZE;
  const start = integer(one('startIndex'));
  const count = integer(one('count'));
  const attrs = one('attributes');
  const excluded = one('excludedAttributes');
  return {
    filter,
    sortBy,
    sortOrder: orderText === 'descending' ? 'descending' : 'ascending',
    startIndex: start === undefined || start < 1 ? 1 : start,
    count: count === undefined ? Math.min(options.defaultCount ?? DEFAULT_PAGE_SIZE, max) : Math.min(Math.max(count, 0), max),
    attributes: attrs === undefined ? undefined : parseAttributeList(attrs),
    excludedAttributes: excluded === undefined ? undefined : parseAttributeList(excluded),
  };
}

/** A ListResponse for one page; `count === 0` asks for totalResults only (§3.4.2.4). */
export function buildListResponse(page: JsonObject[], totalResults: number, query: Pick<ListQuery, 'startIndex' | 'count'>): ListResponse {
  if (query.count === 0) return { schemas: [LIST_RESPONSE_SCHEMA], totalResults, startIndex: query.startIndex, itemsPerPage: 0 };
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults,
    startIndex: query.startIndex,
    itemsPerPage: page.length,
    Resources: page,
  };
}

/**
 * Filters, sorts (ties by `id`, so pages are stable), pages and projects an in-memory collection:
 * the reference behaviour for small collections and tests.
 */
export function listInMemory(resources: JsonObject[], query: ListQuery, schema: ResourceSchema): ListResponse {
  const filter = query.filter;
  const hits = filter === undefined ? [...resources] : resources.filter((r) => evaluateFilter(filter, r, schema));
  const sortBy = query.sortBy;
  const byId = (a: JsonObject, b: JsonObject): number => String(a['id'] ?? '').localeCompare(String(b['id'] ?? ''));
  hits.sort((a, b) => {
    const c = sortBy === undefined ? 0 : compareForSort(a, b, sortBy, schema);
    return (query.sortOrder === 'descending' ? -c : c) || byId(a, b);
  });
  const page = hits.slice(query.startIndex - 1, query.startIndex - 1 + query.count);
  const projection = { attributes: query.attributes, excludedAttributes: query.excludedAttributes };
  return buildListResponse(page.map((r) => project(r, schema, projection)), hits.length, query);
}

