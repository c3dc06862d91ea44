// A private PostgreSQL schema per test file, so parallel test files never see each other's rows.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

export async function freshSchema(): Promise<{ url: string; schema: string; drop(): Promise<void> }> {
  const schema = `moatless_t_${randomBytes(5).toString('hex')}`;
  const client = new pg.Client({ connectionString: PG_URL });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`PostgreSQL is not reachable at ${PG_URL}; start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, { cause: err });
  }
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.end();
  return {
    url: PG_URL, schema,
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}
