// Session lists do not parse the identity JSON they never show: a row whose identity is not JSON
// still lists, and only reading that item's identity fails (get() parses at once, as before).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSqliteDatabase, sqliteExecutor } from '../sqlite/database.ts';
import { migrateSqlite } from '../sqlite/migrate.ts';
import { session, T0 } from '../contract/fixtures.ts';
import { sessionRepo } from './session-repo.ts';

test('listActive and pageActive parse a session\'s identity only when it is read', async () => {
  const db = openSqliteDatabase(':memory:');
  try {
    await migrateSqlite(db);
    const repo = sessionRepo(sqliteExecutor(db));
    await repo.create(session('ok', { createdAt: T0 + 1 }));
    await repo.create(session('bad', { createdAt: T0 }));
    db.exec("UPDATE sessions SET identity = '{not json' WHERE id = 'bad'");
    const listed = await repo.listActive({ limit: 10, offset: 0 }, T0 + 2);
    assert.deepEqual(listed.items.map((s) => s.id), ['ok', 'bad']);
    assert.deepEqual(listed.items[0]!.identity, { groups: ['g1'], amr: ['pwd', 'mfa'] });
    assert.throws(() => listed.items[1]!.identity, SyntaxError);
    const paged = await repo.pageActive({ limit: 10 }, T0 + 2);
    assert.equal(paged[1]!.email, 'alice@contoso.com');
    assert.throws(() => paged[1]!.identity, SyntaxError);
    await assert.rejects(repo.get('bad'), SyntaxError);
  } finally {
    db.close();
  }
});
