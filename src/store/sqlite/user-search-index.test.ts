// Migrations 016 and 017: a user write does not write the FTS5 trigram index (each index write is a
// new segment): a new or renamed user waits in scim_users_search_pending, which every search reads,
// until the store folds the pending users into the index in one transaction; a write that leaves
// userName and displayName as they were touches neither.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSqliteDatabase, sqliteExecutor } from './database.ts';
import { migrateSqlite } from './migrate.ts';
import { foldPendingUserSearch } from './user-search-fold.ts';
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
    const ex = sqliteExecutor(db);
    const indexBlocks = () => (db.prepare('SELECT count(*) AS n FROM scim_users_search_data').get() as { n: number }).n;
    const pending = () => (db.prepare('SELECT count(*) AS n FROM scim_users_search_pending').get() as { n: number }).n;
    const found = async (search: string) => (await users.pageAfter('d1', { search, limit: 10 })).map((r) => r.id);
    const empty = indexBlocks();
    await users.create('d1', u);
    assert.equal(indexBlocks(), empty, 'creating a user does not write the index');
    assert.equal(pending(), 1);
    assert.deepEqual(await found('liddell'), ['u1'], 'a user not yet folded is found');
    assert.equal(await foldPendingUserSearch(ex), 1);
    assert.equal(pending(), 0);
    assert.ok(indexBlocks() > empty, 'the fold wrote the index');
    assert.deepEqual(await found('liddell'), ['u1'], 'and found through the index');
    const before = indexBlocks();
    await users.replace('d1', 'u1', { ...u, active: false, email: 'alice2@contoso.com', lastModified: 2 });
    assert.equal(indexBlocks(), before, 'deactivating and a new e-mail leave the index alone');
    await users.replace('d1', 'u1', { ...u, displayName: 'Alice Pleasance', lastModified: 3 });
    assert.ok(indexBlocks() > before, 'a rename removes the old entry');
    assert.equal(pending(), 1, 'and queues the new one');
    for (const when of ['before the fold', 'after the fold']) {
      assert.deepEqual(await found('pleasance'), ['u1'], when);
      assert.deepEqual(await found('liddell'), [], when);
      assert.deepEqual(await found('contoso'), ['u1'], when);
      await foldPendingUserSearch(ex);
    }
  } finally {
    db.close();
  }
});
