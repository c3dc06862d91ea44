// Server-owned parts of a SCIM resource: `id`, `meta` (RFC 7643 §3.1), weak ETags (RFC 7644 §3.14),
// If-Match checks, and the mapping of store errors onto SCIM errors. Must not: touch the store.
import { randomUUID } from 'node:crypto';
import { StoreConflictError, StoreUnsupportedFilterError, StoreVersionError } from '../store/errors.ts';
import { ScimError } from './scim/index.ts';
import type { JsonObject } from './scim/index.ts';

export const newId = (): string => randomUUID();

export function etagOf(version: number): string {
  return `W/"${version}"`;
}

export interface MetaSource {
  id: string;
  raw: string;
  version: number;
  createdAt: number;
  lastModified: number;
}

/** The stored canonical JSON plus id and meta, `schemas` first, as a client sees it. */
export function withMeta(row: MetaSource, resourceType: 'User' | 'Group', baseUrl: string): JsonObject {
  const raw = JSON.parse(row.raw) as JsonObject;
  const { schemas, ...rest } = raw;
  return {
    schemas, id: row.id, ...rest,
    meta: {
      resourceType,
      created: new Date(row.createdAt).toISOString(),
      lastModified: new Date(row.lastModified).toISOString(),
      location: `${baseUrl.replace(/\/+$/, '')}/${resourceType}s/${row.id}`,
      version: etagOf(row.version),
    },
  };
}

/** The stored form: what the client may own, without `id` and `meta` (the service rebuilds them). */
export function storedJson(resource: JsonObject): string {
  const { id: _id, meta: _meta, ...rest } = resource;
  return JSON.stringify(rest);
}

/**
 * RFC 7232 §3.1 with weak comparison (RFC 7644 §3.14 uses weak ETags): `*` or any listed tag that
 * names the current version passes. Undefined means the header was absent.
 */
export function checkIfMatch(header: string | undefined, version: number): void {
  if (header === undefined) return;
  const tags = header.split(',').map((t) => t.trim()).filter((t) => t !== '');
  if (tags.includes('*')) return;
  const want = `"${version}"`;
  if (tags.some((t) => t.replace(/^W\//, '') === want)) return;
  throw new ScimError(412, undefined, `If-Match does not name the current version ${etagOf(version)}`);
}

/** Store errors become SCIM errors here, once; anything else propagates (an opaque 500). */
export function fromStoreError(err: unknown, resourceType: 'User' | 'Group'): unknown {
  if (err instanceof StoreConflictError && (err.field === 'userName' || err.field === 'displayName')) {
    return new ScimError(409, 'uniqueness', `a ${resourceType.toLowerCase()} with this ${err.field} already exists`, { cause: err });
  }
  if (err instanceof StoreUnsupportedFilterError) {
    return new ScimError(400, 'invalidFilter', `cannot filter on "${err.attribute}"`, { cause: err });
  }
  if (err instanceof StoreVersionError) return new ScimError(412, undefined, 'the resource changed; read it again', { cause: err });
  return err;
}

export function notFound(resourceType: 'User' | 'Group', id: string): ScimError {
  return new ScimError(404, undefined, `${resourceType} ${JSON.stringify(id.slice(0, 100))} not found`);
}
