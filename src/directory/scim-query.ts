// Query parameters shared by single-resource responses (RFC 7644 §3.9): attributes and
// excludedAttributes, with case-insensitive names like every other SCIM parameter. Must not: page.
import { parseAttributeList } from './scim/index.ts';
import type { Projection } from './scim/index.ts';

export function param(query: URLSearchParams, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of query) if (k.toLowerCase() === lower) return v;
  return undefined;
}

export function projectionOf(query: URLSearchParams): Projection {
  const attrs = param(query, 'attributes');
  const excluded = param(query, 'excludedAttributes');
  return {
    ...(attrs === undefined ? {} : { attributes: parseAttributeList(attrs) }),
    ...(excluded === undefined ? {} : { excludedAttributes: parseAttributeList(excluded) }),
  };
}
