// Opens the embedded SQLite database and exposes it as a SqlExecutor. Owns: pragmas, the
// statement cache, transaction serialisation, and mapping SQLite errors to store errors. Must
// not: let two async callers interleave — node:sqlite is one synchronous connection, so every
// statement and every transaction runs under one FIFO mutex.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { AsyncMutex } from '../async-mutex.ts';
import { StoreError, StoreUnavailableError } from '../errors.ts';
import { foreignKeyViolation, uniqueViolation } from '../sql/constraint-fields.ts';
import type { Row, SqlExecutor, SqlParam } from '../sql/executor.ts';
import { sqliteDialect } from './sqlite-dialect.ts';

const SQLITE_CONSTRAINT_FOREIGNKEY = 787;
const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;
const SQLITE_CONSTRAINT_UNIQUE = 2067;

export function openSqliteDatabase(path: string): DatabaseSync {
  let db: DatabaseSync;
  try {
    // A fresh install has no data folder yet.
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new DatabaseSync(path, { enableForeignKeyConstraints: true });
    // WAL + synchronous=NORMAL: a commit is durable against process crashes (the WAL is written
    // before COMMIT returns), and against power loss up to the last checkpoint (sqlite.org/wal.html).
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA foreign_keys = ON');
    db.exec('PRAGMA busy_timeout = 5000');
  } catch (cause) {
    throw new StoreUnavailableError('cannot open the SQLite database', { cause });
  }
  // SQLite's lower() folds ASCII only; the filter translator needs the same folding as JS.
  db.function('moatless_lower', { deterministic: true }, (v) => (typeof v === 'string' ? v.toLowerCase() : v));
  return db;
}

export function mapSqliteError(err: unknown): Error {
  if (err instanceof StoreError) return err;
  const e = err as { errcode?: unknown; message?: unknown };
  if (e.errcode === SQLITE_CONSTRAINT_UNIQUE || e.errcode === SQLITE_CONSTRAINT_PRIMARYKEY) {
    return uniqueViolation(typeof e.message === 'string' ? e.message : '', err);
  }
  if (e.errcode === SQLITE_CONSTRAINT_FOREIGNKEY) return foreignKeyViolation(err);
  if (err instanceof TypeError || err instanceof RangeError) return err;
  return new StoreUnavailableError('SQLite statement failed', { cause: err });
}

function bind(params: SqlParam[]): SQLInputValue[] {
  return params.map((p) => {
    if (typeof p === 'boolean') return p ? 1 : 0;
    if (Array.isArray(p)) throw new TypeError('array parameters are PostgreSQL-only');
    return p;
  });
}

const CACHE_LIMIT = 256;

/** The root executor plus the mutex-free one used while a transaction holds the lock. */
export function sqliteExecutor(db: DatabaseSync): SqlExecutor {
  const mutex = new AsyncMutex();
  const cache = new Map<string, StatementSync>();
  const prepare = (sql: string): StatementSync => {
    let st = cache.get(sql);
    if (st) { cache.delete(sql); cache.set(sql, st); return st; }
    st = db.prepare(sql);
    cache.set(sql, st);
    if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value ?? '');
    return st;
  };
  const all = (sql: string, params: SqlParam[]): Row[] => {
    try { return prepare(sql).all(...bind(params)) as Row[]; } catch (err) { throw mapSqliteError(err); }
  };
  const run = (sql: string, params: SqlParam[]): { changes: number } => {
    try { return { changes: Number(prepare(sql).run(...bind(params)).changes) }; } catch (err) { throw mapSqliteError(err); }
  };
  let savepoints = 0;
  // A tx executor used after its transaction ended would bypass the mutex; refuse instead.
  const inTx = (isOpen: () => boolean): SqlExecutor => ({
    dialect: sqliteDialect,
    all: async (sql, params = []) => { if (!isOpen()) throw new TypeError('transaction has ended'); return all(sql, params); },
    run: async (sql, params = []) => { if (!isOpen()) throw new TypeError('transaction has ended'); return run(sql, params); },
    async atomic(fn) {
      const sp = `sp_${++savepoints}`;
      run(`SAVEPOINT ${sp}`, []);
      try {
        const out = await fn(this);
        run(`RELEASE ${sp}`, []);
        return out;
      } catch (err) {
        run(`ROLLBACK TO ${sp}`, []);
        run(`RELEASE ${sp}`, []);
        throw err;
      }
    },
  });
  return {
    dialect: sqliteDialect,
    all: (sql, params = []) => mutex.run(() => all(sql, params)),
    run: (sql, params = []) => mutex.run(() => run(sql, params)),
    atomic: (fn) => mutex.run(async () => {
      // IMMEDIATE takes the write lock up front, so another process cannot make us fail mid-way.
      run('BEGIN IMMEDIATE', []);
      let open = true;
      try {
        const out = await fn(inTx(() => open));
        run('COMMIT', []);
        return out;
      } catch (err) {
        if (db.isTransaction) run('ROLLBACK', []);
        throw err;
      } finally {
        open = false;
      }
    }),
  };
}
