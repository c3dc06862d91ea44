// The PostgreSQL pool and its SqlExecutor. Owns: connection settings (search_path per schema,
// BIGINT as JS numbers), `?` → `$n` renumbering, transactions on one checked-out client, and
// mapping driver errors to store errors. Must not: log connection strings (they carry passwords).
import pg from 'pg';
import { StoreError, StoreUnavailableError } from '../errors.ts';
import { foreignKeyViolation, uniqueViolation } from '../sql/constraint-fields.ts';
import type { Row, SqlExecutor, SqlParam } from '../sql/executor.ts';
import type { StoreLogger } from '../ports.ts';
import { postgresDialect } from './postgres-dialect.ts';

const INT8 = 20;
const JSON_OID = 114;
const JSONB_OID = 3802;

/** Epoch-ms columns are BIGINT; pg returns int8 as strings unless told otherwise. Raw JSON stays text. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8) return (v: string) => Number(v);
    if (oid === JSON_OID || oid === JSONB_OID) return (v: string) => v;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

export function checkSchemaName(schema: string): string {
  if (!SCHEMA_RE.test(schema)) throw new TypeError('postgres schema must match ^[a-z_][a-z0-9_]{0,62}$');
  return schema;
}

export function pgClientConfig(url: string, schema: string | undefined, applicationName: string): pg.ClientConfig {
  return {
    connectionString: url,
    types,
    application_name: applicationName,
    keepAlive: true,
    connectionTimeoutMillis: 5000,
    ...(schema ? { options: `-c search_path=${checkSchemaName(schema)}` } : {}),
  };
}

export function createPool(url: string, schema: string | undefined, poolSize: number, logger?: StoreLogger, timeoutMs = DEFAULT_QUERY_TIMEOUT_MS): pg.Pool {
  // Waiting for a connection (a free one, or a new one through a dead link) is bounded like a query.
  const pool = new pg.Pool({ ...pgClientConfig(url, schema, 'moatless'), connectionTimeoutMillis: timeoutMs, max: poolSize });
  // An idle client losing its connection must not crash the process; the next checkout reconnects.
  pool.on('error', (err) => logger?.warn({ err: { message: err.message } }, 'idle PostgreSQL connection failed'));
  return pool;
}

/** Renumbers `?` placeholders to `$1…$n`, leaving quoted literals alone. */
export function toPgSql(sql: string): string {
  let n = 0;
  let quoted = false;
  let out = '';
  for (const ch of sql) {
    if (ch === "'") quoted = !quoted;
    out += ch === '?' && !quoted ? `$${++n}` : ch;
  }
  return out;
}

export function mapPgError(err: unknown): Error {
  if (err instanceof StoreError || err instanceof TypeError || err instanceof RangeError) return err;
  const e = err as { code?: unknown; constraint?: unknown };
  if (e.code === '23505') return uniqueViolation(typeof e.constraint === 'string' ? e.constraint : '', err);
  if (e.code === '23503') return foreignKeyViolation(err);
  return new StoreUnavailableError('PostgreSQL query failed', { cause: err });
}

type Queryable = pg.Pool | pg.PoolClient;

function isQueryTimeout(err: unknown): boolean {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  return cause instanceof Error && cause.message === 'Query read timeout';
}

/**
 * Longest a query may take before it fails (and the request it serves fails closed with 503). A
 * connection that died without a FIN (a blackholed link) would otherwise hang the caller for the
 * kernel's TCP timeout. The connection is then discarded (pg-pool drops a client released with
 * an error; transactions release theirs as broken).
 */
export const DEFAULT_QUERY_TIMEOUT_MS = 5000;

async function query(db: Queryable, sql: string, params: SqlParam[], timeoutMs: number): Promise<pg.QueryResult<Row>> {
  try {
    return await db.query<Row>({ text: toPgSql(sql), values: params, query_timeout: timeoutMs } as pg.QueryConfig);
  } catch (err) {
    throw mapPgError(err);
  }
}

function clientExecutor(client: pg.PoolClient, isOpen: () => boolean, timeoutMs: number): SqlExecutor {
  let savepoints = 0;
  // After release the client may serve someone else's transaction; a leaked tx must not reach it.
  const q = (sql: string, params: SqlParam[]) => {
    if (!isOpen()) throw new TypeError('transaction has ended');
    return query(client, sql, params, timeoutMs);
  };
  return {
    dialect: postgresDialect,
    all: async (sql, params = []) => (await q(sql, params)).rows,
    run: async (sql, params = []) => ({ changes: (await q(sql, params)).rowCount ?? 0 }),
    async atomic(fn) {
      const sp = `sp_${++savepoints}`;
      await q(`SAVEPOINT ${sp}`, []);
      try {
        const out = await fn(this);
        await q(`RELEASE SAVEPOINT ${sp}`, []);
        return out;
      } catch (err) {
        await q(`ROLLBACK TO SAVEPOINT ${sp}`, []);
        throw err;
      }
    },
  };
}

export function pgExecutor(pool: pg.Pool, timeoutMs = DEFAULT_QUERY_TIMEOUT_MS): SqlExecutor {
  return {
    dialect: postgresDialect,
    all: async (sql, params = []) => (await query(pool, sql, params, timeoutMs)).rows,
    run: async (sql, params = []) => ({ changes: (await query(pool, sql, params, timeoutMs)).rowCount ?? 0 }),
    async atomic(fn) {
      let client: pg.PoolClient;
      try { client = await pool.connect(); } catch (err) { throw mapPgError(err); }
      let broken: Error | undefined;
      let open = true;
      try {
        await query(client, 'BEGIN', [], timeoutMs);
        const out = await fn(clientExecutor(client, () => open, timeoutMs));
        await query(client, 'COMMIT', [], timeoutMs);
        return out;
      } catch (err) {
        // A timed-out connection cannot roll back (it would only time out again): discard it, and
        // the server rolls the transaction back when the connection goes.
        if (isQueryTimeout(err)) broken = err instanceof Error ? err : new Error('query timeout');
        else {
          try { await query(client, 'ROLLBACK', [], timeoutMs); } catch (e) { broken = e instanceof Error ? e : new Error('rollback failed'); }
        }
        throw err;
      } finally {
        open = false;
        // A client whose ROLLBACK failed is discarded rather than returned to the pool mid-transaction.
        client.release(broken);
      }
    },
  };
}
