// Runs the shared Store contract against SQLite, plus SQLite-only checks: the userName/externalId
// filters are index-backed at 100,000 users, and acknowledged writes survive reopening the file.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStoreContract } from '../contract/store.contract.ts';
import { openStore } from '../open-store.ts';
import { buildSessionPageSql } from '../sql/session-repo.ts';
import { buildUserListSql, buildUserPageSql, userRepo } from '../sql/user-repo.ts';
import { openSqliteDatabase, sqliteExecutor } from './database.ts';
import { foldPendingUserSearch } from './user-search-fold.ts';
import { migrateSqlite } from './migrate.ts';
import { loadMigrations } from '../migrations.ts';
import { sqliteDialect } from './sqlite-dialect.ts';

const dir = mkdtempSync(join(tmpdir(), 'moatless-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** A migrated database file holding directory d1 with 100,000 users (u1…, created_at = i). */
async function databaseWith100kUsers(name: string): Promise<ReturnType<typeof openSqliteDatabase>> {
  const db = openSqliteDatabase(join(dir, name));
  await migrateSqlite(db);
  db.exec(`INSERT INTO directories (id, name, name_key, created_at) VALUES ('d1', 'D', 'd', 0)`);
  db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
    INSERT INTO scim_users (directory_id, id, external_id, user_name, user_name_key, active, raw, version, created_at, last_modified)
    SELECT 'd1', 'u' || i, 'x' || i, 'User' || i, 'user' || i, 1, '{}', 1, i, i FROM n`);
  return db;
}

describeStoreContract('sqlite', () => openStore({ kind: 'sqlite', path: join(dir, `s${++n}.db`) }));

describe('sqlite specifics', () => {
  test('opens with WAL, synchronous=NORMAL, foreign keys and a busy timeout; migrations are recorded once', async () => {
    const path = join(dir, 'pragmas.db');
    const db = openSqliteDatabase(path);
    const all = (await loadMigrations('sqlite')).map((m) => m.version);
    assert.equal(await migrateSqlite(db), all.length);
    assert.equal(await migrateSqlite(db), 0);
    assert.equal(db.prepare('PRAGMA journal_mode').get()?.journal_mode, 'wal');
    assert.equal(db.prepare('PRAGMA synchronous').get()?.synchronous, 1);
    assert.equal(db.prepare('PRAGMA foreign_keys').get()?.foreign_keys, 1);
    assert.equal(db.prepare('PRAGMA busy_timeout').get()?.timeout, 5000);
    assert.deepEqual(db.prepare('SELECT version FROM schema_migrations ORDER BY version').all().map((r) => r.version), all);
    db.close();
  });

  test('an acknowledged write is on disk when reopened', async () => {
    const path = join(dir, 'durable.db');
    const a = await openStore({ kind: 'sqlite', path });
    await a.kv.set('ns', 'k', 'v');
    await a.close();
    const b = await openStore({ kind: 'sqlite', path });
    assert.equal(await b.kv.get('ns', 'k'), 'v');
    await b.close();
  });

  test('userName and externalId filters use an index at 100,000 users', async () => {
    const db = await databaseWith100kUsers('plan.db');
    db.exec('ANALYZE');
    const plan = (filter: Parameters<typeof buildUserListSql>[2]['filter']) => {
      const s = buildUserListSql(sqliteDialect, 'd1', { startIndex: 1, count: 10, ...(filter ? { filter } : {}) });
      const explain = (q: { sql: string; params: unknown[] }) =>
        db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...(q.params as (string | number)[])).map((r) => String(r.detail)).join(' | ');
      return [explain(s.count), explain(s.page)];
    };
    for (const p of plan({ op: 'eq', path: { attr: 'username' }, value: 'USER500' })) assert.match(p, /USING (COVERING )?INDEX scim_users_user_name_key_uq/, p);
    for (const p of plan({ op: 'eq', path: { attr: 'externalid' }, value: 'x500' })) assert.match(p, /USING (COVERING )?INDEX scim_users_external_id_idx/, p);
    db.close();
  });
});

test('admin keyset pages read an index in order at 100,000 rows: no sort of the table (migration 011)', async () => {
  const db = await databaseWith100kUsers('keyset-plan.db');
  db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
    INSERT INTO sessions (id, kind, app_id, user_key, email, idp, identity, created_at, expires_at, last_seen_at)
    SELECT 's' || i, 'global', CASE WHEN i % 3 = 0 THEN 'wiki' END, 'k' || i, 'e' || i, 'entra', '{}', i, 10000000, i FROM n`);
  db.exec('ANALYZE');
  const explain = (q: { sql: string; params: unknown[] }) =>
    db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...(q.params as (string | number)[])).map((r) => String(r.detail)).join(' | ');
  const after = { createdAt: 50_000, id: 'x' };
  for (const q of [buildUserPageSql(sqliteDialect, 'd1', { limit: 51 }), buildUserPageSql(sqliteDialect, 'd1', { limit: 51, after })]) {
    const p = explain(q);
    assert.match(p, /USING INDEX scim_users_created_idx/, p);
    assert.doesNotMatch(p, /TEMP B-TREE/, p);
  }
  for (const [q, index] of [
    [buildSessionPageSql({ limit: 51 }, 1), 'sessions_created_idx'], [buildSessionPageSql({ limit: 51, after }, 1), 'sessions_created_idx'],
    [buildSessionPageSql({ limit: 51, appId: 'wiki', after }, 1), 'sessions_app_created_idx'],
  ] as const) {
    const p = explain(q);
    assert.match(p, new RegExp(`USING INDEX ${index}`), p);
    assert.doesNotMatch(p, /TEMP B-TREE/, p);
  }
  // The active-session count (overview, /metrics) reads the partial index of unrevoked sessions.
  const count = explain({ sql: 'SELECT count(*) AS n FROM sessions WHERE revoked_at IS NULL AND expires_at > ?', params: [1] });
  assert.match(count, /USING (COVERING )?INDEX sessions_active_idx/, count);
  db.close();
});

test('a user name search starts from the trigram index at 100,000 users, and the index follows writes (migration 014)', async () => {
  const db = await databaseWith100kUsers('search-plan.db');
  db.exec(`UPDATE scim_users SET display_name = 'Person ' || created_at WHERE created_at % 1000 = 7`);
  db.exec('ANALYZE');
  const ex = sqliteExecutor(db);
  // New users wait in scim_users_search_pending until the store's fold (migration 017); 100,000 of
  // them are more than a search sorts, so fold them as the running store would within a second.
  assert.equal(await foldPendingUserSearch(ex), 100_000);
  const statements: string[] = [];
  const users = userRepo({ ...ex, all: (sql, params) => { statements.push(sql); return ex.all(sql, params); } });
  const search = async (text: string, limit = 51) => {
    statements.length = 0;
    const ids = (await users.pageAfter('d1', { search: text, limit })).map((u) => u.id);
    return { ids, sql: statements.at(-1)! };
  };
  const explain = (sql: string) => db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('"x"', 'd1', '%x%', '%x%', 1).map((r) => String(r.detail)).join(' | ');

  const rare = await search('USER4321');
  assert.deepEqual(rare.ids, ['u4321', 'u43210', 'u43211', 'u43212', 'u43213', 'u43214', 'u43215', 'u43216', 'u43217', 'u43218', 'u43219']);
  assert.match(rare.sql, /scim_users_search/);
  const plan = explain(rare.sql);
  assert.match(plan, /SCAN f VIRTUAL TABLE INDEX/, plan);
  assert.doesNotMatch(plan, /SCAN t\b/, plan);
  assert.deepEqual((await search('SON 9007')).ids, ['u9007'], 'displayName through the index');

  // Too short for a trigram, or matching more users than are worth sorting: pages in order instead.
  const short = await search('r9', 3);
  assert.deepEqual(short.ids, ['u9', 'u90', 'u91']);
  assert.doesNotMatch(short.sql, /scim_users_search/);
  const common = await search('user1', 3);
  assert.deepEqual(common.ids, ['u1', 'u10', 'u11']);
  assert.doesNotMatch(common.sql, /scim_users_search/);

  // Raw SQL writes (as any writer would) keep the search exact through the triggers: a renamed user
  // waits in pending (read by every search) until the next fold.
  db.exec(`UPDATE scim_users SET user_name_key = 'renamed-4321' WHERE id = 'u4321'`);
  assert.deepEqual((await search('renamed-43')).ids, ['u4321']);
  db.exec(`DELETE FROM scim_users WHERE id = 'u43210'`);
  assert.deepEqual((await search('user4321')).ids, ['u43211', 'u43212', 'u43213', 'u43214', 'u43215', 'u43216', 'u43217', 'u43218', 'u43219']);
  assert.equal(await foldPendingUserSearch(ex), 1, 'the renamed user is folded');
  assert.deepEqual((await search('renamed-43')).ids, ['u4321'], 'and found through the index');
  assert.deepEqual((await search('user4321')).ids, ['u43211', 'u43212', 'u43213', 'u43214', 'u43215', 'u43216', 'u43217', 'u43218', 'u43219']);
  db.close();
});

test('a change published by one process reaches another on the same database file', async () => {
  const dir2 = mkdtempSync(join(tmpdir(), 'moatless-feed-'));
  const path = join(dir2, 'shared.db');
  const server = await openStore({ kind: 'sqlite', path });
  const cli = await openStore({ kind: 'sqlite', path });
  const got: unknown[] = [];
  server.changes.subscribe('sessions.revoked', (p) => got.push(p));
  const own: unknown[] = [];
  cli.changes.subscribe('sessions.revoked', (p) => own.push(p));
  await cli.changes.publish('sessions.revoked', { emails: ['bob@contoso.com'] });
  const t0 = Date.now();
  while (got.length === 0 && Date.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(got, [{ emails: ['bob@contoso.com'] }]);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(own.length, 1, 'the publisher is notified once, not again through the log');
  await server.close();
  await cli.close();
  rmSync(dir2, { recursive: true, force: true });
});
