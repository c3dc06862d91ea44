// Migration 016: a user write that leaves userName and displayName as they were does not write the
// FTS5 trigram index (each index write is a new segment); a rename still moves the user's entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSqliteDatabase, sqliteExecutor } from './database.ts';
import { migrateSqlite } from './migrate.ts';
import { userRepo } from '../sql/user-repo.ts';
import type { UserRow } from '../ports-directory.ts';

test('the trigram index is written only when an indexed value changes', async () => {
  const db = openSqliteDatabase(':memory:');
  try {
    await migrateSqlite(db);
    db.exec("INSERT INTO directories (id, name, name_key, created_at) VALUES ('d1', 'entra', 'entra', 0)");
    const users = userRepo(sqliteExecutor(db));
    const u: UserRow = {
      id: 'u1', externalId: null, userName: 'Alice@Contoso.com', active: true, displayName: 'Alice Liddell',
      email: 'alice@contoso.com', givenName: null, familyName: null, raw: '{}', version: 1, createdAt: 1, lastModified: 1,
    };
    await users.create('d1', u);
    const indexBlocks = () => (db.prepare('SELECT count(*) AS n FROM scim_users_search_data').get() as { n: number }).n;
    const before = indexBlocks();
    await users.replace('d1', 'u1', { ...u, active: false, email: 'alice2@contoso.com', lastModified: 2 });
    assert.equal(indexBlocks(), before, 'deactivating and a new e-mail leave the index alone');
    await users.replace('d1', 'u1', { ...u, displayName: 'Alice Pleasance', lastModified: 3 });
    assert.ok(indexBlocks() > before, 'a rename writes the index');
    const found = async (search: string) => (await users.pageAfter('d1', { search, limit: 10 })).map((r) => r.id);
    assert.deepEqual(await found('pleasance'), ['u1']);
    assert.deepEqual(await found('liddell'), []);
    assert.deepEqual(await found('contoso'), ['u1']);
  } finally {
    db.close();
  }
});
