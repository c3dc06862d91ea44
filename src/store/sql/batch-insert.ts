// Appending many rows of one table in few statements: full groups of `perStatement` rows go in one
// multi-row INSERT, the rest one by one, so only two statement shapes exist (both cached by the
// executors). On SQLite a 50-row INSERT costs about a third of 50 single-row ones per row; the
// request logs write one row per proxied request. Must not: open its own transaction (the caller
// runs it inside one).
import { placeholders, type SqlExecutor, type SqlParam } from './executor.ts';

export type BatchInsert = (tx: SqlExecutor, rows: readonly SqlParam[][]) => Promise<void>;

/** 50 rows × 15 columns keeps well under SQLite's and PostgreSQL's bound-parameter limits. */
export function batchInsert(table: string, columns: readonly string[], perStatement = 50): BatchInsert {
  const one = `(${placeholders(columns.length)})`;
  const head = `INSERT INTO ${table} (${columns.join(', ')}) VALUES `;
  const insertOne = head + one;
  const insertMany = head + Array.from({ length: perStatement }, () => one).join(', ');
  return async (tx, rows) => {
    let i = 0;
    for (; i + perStatement <= rows.length; i += perStatement) await tx.run(insertMany, rows.slice(i, i + perStatement).flat());
    for (; i < rows.length; i++) await tx.run(insertOne, rows[i]!);
  };
}
