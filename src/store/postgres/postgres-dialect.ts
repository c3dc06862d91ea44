// PostgreSQL's side of the filter translator: jsonb operators over raw. Owns: the PostgreSQL
// spellings only. Must not: put values into SQL — JSON paths travel as text[] parameters.
import { likePattern, type SqlDialect } from '../sql/executor.ts';

const at = (base: string) => `(${base} #> CAST(? AS text[]))`;

export const postgresDialect: SqlDialect = {
  name: 'postgres',
  lower: (expr) => `lower(${expr})`,
  jsonText: (base, keys) => ({ sql: `(${base} #>> CAST(? AS text[]))`, params: [keys] }),
  jsonBoolIs: (base, keys, value) => ({ sql: `COALESCE(${at(base)} = CAST(? AS jsonb), false)`, params: [keys, value ? 'true' : 'false'] }),
  jsonPresent(base, keys) {
    const x = at(base);
    return {
      sql: `COALESCE(CASE jsonb_typeof(${x}) WHEN 'string' THEN (${x} #>> '{}') <> '' WHEN 'array' THEN jsonb_array_length(${x}) > 0 WHEN 'object' THEN ${x} <> '{}'::jsonb WHEN 'boolean' THEN true WHEN 'number' THEN true ELSE false END, false)`,
      params: [keys, keys, keys, keys],
    };
  },
  jsonElements(base, keys, alias) {
    // jsonb_array_elements raises on a non-array, so anything else becomes an empty array.
    return { sql: `jsonb_array_elements(CASE WHEN jsonb_typeof(${at(base)}) = 'array' THEN ${at(base)} ELSE '[]'::jsonb END) AS ${alias}(value)`, params: [keys, keys] };
  },
  elementBase: (alias) => `${alias}.value`,
  // LIKE is case-sensitive in PostgreSQL; the value's wildcards are escaped.
  matchExact: (expr, kind, value) => ({ sql: `${expr} LIKE ? ESCAPE '\\'`, params: [likePattern(kind, value)] }),
  binaryCollate: ' COLLATE "C"',
};
