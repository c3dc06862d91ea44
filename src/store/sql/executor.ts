// The seam between shared repository SQL and a driver. Owns: the executor and dialect contracts
// and row-reading helpers. Must not: hold driver objects — sqlite/ and postgres/ implement these.
// SQL is written once with `?` placeholders; the PostgreSQL executor renumbers them to `$n`.

export type SqlParam = string | number | boolean | null | string[];
export type Row = Record<string, unknown>;
export interface Sql { sql: string; params: SqlParam[] }

export interface SqlExecutor {
  readonly dialect: SqlDialect;
  all(sql: string, params?: SqlParam[]): Promise<Row[]>;
  /** Runs a statement; `changes` is the affected row count. */
  run(sql: string, params?: SqlParam[]): Promise<{ changes: number }>;
  /** Runs fn in one transaction (a savepoint when already inside one); a throw rolls back. */
  atomic<T>(fn: (ex: SqlExecutor) => Promise<T>): Promise<T>;
}

/** Where the two SQL dialects differ for the filter translator; everything else is shared SQL. */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  /** Unicode-aware lower() (SQLite's built-in lower() folds ASCII only). */
  lower(expr: string): string;
  /** JSON value at keys as SQL text (null when absent). */
  jsonText(base: string, keys: string[]): Sql;
  /** true when the JSON value at keys is the JSON boolean `value`. */
  jsonBoolIs(base: string, keys: string[], value: boolean): Sql;
  /** true when the JSON value at keys is present and non-empty (RFC 7644 `pr`). */
  jsonPresent(base: string, keys: string[]): Sql;
  /** A FROM item over the elements of the JSON array at keys; `alias.value` is each element as JSON. */
  jsonElements(base: string, keys: string[], alias: string): Sql;
  /** The element of a jsonElements alias as a JSON base, NULL unless it is an object. */
  elementBase(alias: string): string;
  /** Case-sensitive co/sw/ew match of `expr` against `value`; `expr` appears once, before any placeholder. */
  matchExact(expr: string, kind: 'co' | 'sw' | 'ew', value: string): Sql;
  /** Byte-order collation suffix so ordering is the same whatever the database locale. */
  readonly binaryCollate: string;
}

/** Escapes LIKE wildcards so a SCIM value matches literally (used with ESCAPE '\'). */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function likePattern(kind: 'co' | 'sw' | 'ew', value: string): string {
  const v = escapeLike(value);
  return kind === 'co' ? `%${v}%` : kind === 'sw' ? `${v}%` : `%${v}`;
}

/** `?, ?, ?` for n parameters. */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

export function chunks<T>(items: T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// Row readers: rows come from our own schema, but a wrong type means a schema/driver mismatch,
// which must fail loudly rather than flow on as `unknown`.
export function str(row: Row, col: string): string {
  const v = row[col];
  if (typeof v !== 'string') throw new TypeError(`column ${col}: expected text`);
  return v;
}
export function strOrNull(row: Row, col: string): string | null {
  const v = row[col];
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') throw new TypeError(`column ${col}: expected text`);
  return v;
}
export function num(row: Row, col: string): number {
  const v = row[col];
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  throw new TypeError(`column ${col}: expected number`);
}
export function numOrNull(row: Row, col: string): number | null {
  const v = row[col];
  return v === null || v === undefined ? null : num(row, col);
}
export function bool(row: Row, col: string): boolean {
  const v = row[col];
  if (typeof v === 'boolean') return v;
  if (v === 0 || v === 1) return v === 1;
  throw new TypeError(`column ${col}: expected boolean`);
}
/** Raw JSON columns: text in SQLite, jsonb (parsed by pg) in PostgreSQL — always hand back text. */
export function jsonText(row: Row, col: string): string {
  const v = row[col];
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** 1-based SCIM paging → SQL LIMIT/OFFSET (RFC 7644 §3.4.2.4). */
export function page(startIndex: number, count: number): { limit: number; offset: number } {
  const start = Number.isFinite(startIndex) ? Math.max(1, Math.floor(startIndex)) : 1;
  const limit = Number.isFinite(count) ? Math.max(0, Math.floor(count)) : 0;
  return { limit, offset: start - 1 };
}
