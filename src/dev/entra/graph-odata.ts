// The OData query options the emulator's Graph subset understands: `$filter` (`prop eq 'literal'`
// joined by `and`, doubled quotes escape), `$select`, `$top`, `$skiptoken`, and paging with
// `@odata.nextLink`. Fails closed: anything it cannot parse is a 400, never "return everything".
import { GraphError } from './errors.ts';

export type Item = Record<string, unknown>;

export interface Clause {
  prop: string;
  value: string | boolean;
}

// Default page 100 and `$top` ≤ 999 for directory collections (Graph paging guidance).
export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 999;

/** Parses `displayName eq 'O''Brien' and securityEnabled eq true` into clauses. */
export function parseFilter(filter: string, filterable: ReadonlySet<string>): Clause[] {
  const clauses: Clause[] = [];
  const re = /^\s*([A-Za-z]+)\s+eq\s+(?:'((?:[^']|'')*)'|(true|false))\s*(?:and\s+|$)/;
  let rest = filter;
  while (rest.trim().length) {
    const m = re.exec(rest);
    if (!m?.[1]) throw new GraphError(400, 'Request_UnsupportedQuery', `Unsupported or invalid query filter clause specified: '${filter}'.`);
    const prop = m[1];
    if (!filterable.has(prop)) throw new GraphError(400, 'Request_UnsupportedQuery', `Unsupported or invalid query filter clause specified for property '${prop}'.`);
    clauses.push({ prop, value: m[2] !== undefined ? m[2].replaceAll("''", "'") : m[3] === 'true' });
    rest = rest.slice(m[0].length);
    if (m[0].trimEnd().endsWith('and') && !rest.trim()) throw new GraphError(400, 'Request_UnsupportedQuery', `Unsupported or invalid query filter clause specified: '${filter}'.`);
  }
  return clauses;
}

/** Directory string comparisons in `$filter` are case-insensitive. */
export function matchesClauses(item: Item, clauses: readonly Clause[]): boolean {
  return clauses.every(({ prop, value }) => {
    const actual = item[prop];
    return typeof value === 'string' ? typeof actual === 'string' && actual.toLowerCase() === value.toLowerCase() : actual === value;
  });
}

export function parseTop(raw: string | null, max = MAX_PAGE): number {
  if (raw === null) return Math.min(DEFAULT_PAGE, max);
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > max) throw new GraphError(400, 'Request_BadRequest', `Invalid page size specified: '${raw}'. Must be between 1 and ${max} inclusive.`);
  return n;
}

export function encodeSkipToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset }), 'utf8').toString('base64url');
}

export function decodeSkipToken(raw: string | null): number {
  if (raw === null) return 0;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    const o = typeof parsed === 'object' && parsed !== null && 'o' in parsed ? parsed.o : undefined;
    if (typeof o === 'number' && Number.isSafeInteger(o) && o >= 0) return o;
  } catch {
    // fall through to the error below
  }
  throw new GraphError(400, 'Request_BadRequest', 'The specified page token value has expired or is invalid.');
}

/** Applies `$select`, always keeping `id` and `@odata.type` (as Graph does for directory objects). */
export function applySelect(items: Item[], raw: string | null, selectable: ReadonlySet<string>, typeName: string): Item[] {
  if (raw === null || raw.trim() === '') return items;
  const props = raw.split(',').map((p) => p.trim()).filter(Boolean);
  for (const p of props) {
    if (!selectable.has(p)) throw new GraphError(400, 'Request_BadRequest', `Could not find a property named '${p}' on type '${typeName}'.`);
  }
  const keep = new Set(['@odata.type', 'id', ...props]);
  return items.map((item) => Object.fromEntries(Object.entries(item).filter(([k]) => keep.has(k))));
}

export interface Page {
  '@odata.context': string;
  '@odata.nextLink'?: string;
  value: Item[];
}

/**
 * One page of a collection. `@odata.nextLink` is absolute and carries every original query option
 * plus `$skiptoken`, so clients follow it verbatim (Graph paging concept page).
 */
export function paginate(items: Item[], query: URLSearchParams, selfUrl: string, context: string, maxTop = MAX_PAGE): Page {
  const top = parseTop(query.get('$top'), maxTop);
  const offset = decodeSkipToken(query.get('$skiptoken'));
  const page: Page = { '@odata.context': context, value: items.slice(offset, offset + top) };
  if (offset + top < items.length) {
    // Keep `$` literal in option names, as Graph's own nextLinks do (`?$top=100&$skiptoken=…`).
    const enc = (s: string) => encodeURIComponent(s).replaceAll('%24', '$');
    const pairs = [...query].filter(([k]) => k !== '$skiptoken').map(([k, v]) => `${enc(k)}=${enc(v)}`);
    pairs.push(`$skiptoken=${encodeSkipToken(offset + top)}`);
    page['@odata.nextLink'] = `${selfUrl.split('?')[0]}?${pairs.join('&')}`;
  }
  return page;
}
