// How read commands print: an aligned table for people, or with `--json` one JSON array of objects
// for scripts (stable keys, ISO times, nulls kept). Owns: that choice and the table layout. Must
// not: decide what a command lists.
import type { ParsedArgs } from './args.ts';

/** A column: its header in the table, its key in JSON, and the value of one row. */
export interface Column<T> {
  header: string;
  key: string;
  value(row: T): string | number | boolean | null;
}

/** Epoch ms as ISO 8601 (`null` stays null; the table shows `-`). */
export function isoOrNull(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

export function alignedTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

export function printRows<T>(args: ParsedArgs, columns: readonly Column<T>[], rows: readonly T[], empty: string): void {
  if (args.flags.has('json')) {
    const out = rows.map((r) => Object.fromEntries(columns.map((c) => [c.key, c.value(r)])));
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    process.stdout.write(`${empty}\n`);
    return;
  }
  const cell = (v: string | number | boolean | null) => (v === null ? '-' : typeof v === 'boolean' ? (v ? 'yes' : 'NO') : String(v));
  process.stdout.write(alignedTable([columns.map((c) => c.header), ...rows.map((r) => columns.map((c) => cell(c.value(r))))]));
}
