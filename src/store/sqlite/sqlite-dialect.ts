// SQLite's side of the filter translator: JSON1 functions over raw stored as TEXT. Owns: the
// SQLite spellings only. Must not: put values into SQL — JSON paths travel as parameters too.
import type { Sql, SqlDialect } from '../sql/executor.ts';

/** `$."name"."givenName"` — every key quoted, so URN keys with `:` and `.` are safe. */
function path(keys: string[]): string {
  return '$' + keys.map((k) => {
    if (k.includes('"')) throw new TypeError('JSON key must not contain a double quote');
    return `."${k}"`;
  }).join('');
}

/** GLOB is SQLite's case-sensitive matcher; brackets make its metacharacters literal. */
function escapeGlob(v: string): string {
  return v.replace(/[*?[]/g, (c) => `[${c}]`);
}

export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  lower: (expr) => `moatless_lower(${expr})`,
  jsonText: (base, keys) => ({ sql: `json_extract(${base}, ?)`, params: [path(keys)] }),
  jsonBoolIs: (base, keys, value) => ({ sql: `COALESCE(json_type(${base}, ?) = ?, 0)`, params: [path(keys), value ? 'true' : 'false'] }),
  jsonPresent(base, keys): Sql {
    const p = path(keys);
    return {
      sql: `(CASE json_type(${base}, ?) WHEN 'text' THEN json_extract(${base}, ?) <> '' WHEN 'array' THEN json_array_length(${base}, ?) > 0 WHEN 'object' THEN json_extract(${base}, ?) <> '{}' WHEN 'true' THEN 1 WHEN 'false' THEN 1 WHEN 'integer' THEN 1 WHEN 'real' THEN 1 ELSE 0 END)`,
      params: [p, p, p, p],
    };
  },
  jsonElements(base, keys, alias) {
    const p = path(keys);
    // Only a JSON array yields elements; json_each over an object would iterate its members.
    return { sql: `json_each(CASE WHEN json_type(${base}, ?) = 'array' THEN json_extract(${base}, ?) ELSE '[]' END) AS ${alias}`, params: [p, p] };
  },
  // CASE, unlike AND, fixes evaluation order: json_extract never sees a non-JSON text element.
  elementBase: (alias) => `(CASE WHEN ${alias}.type = 'object' THEN ${alias}.value END)`,
  matchExact(expr, kind, value) {
    const v = escapeGlob(value);
    return { sql: `${expr} GLOB ?`, params: [kind === 'co' ? `*${v}*` : kind === 'sw' ? `${v}*` : `*${v}`] };
  },
  binaryCollate: '',
};
