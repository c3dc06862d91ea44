// Hardening item 3: a SCIM write whose change notice is large (a group PATCH adding 50 users with
// 177-character userNames: ~9 KB of emails, over PostgreSQL NOTIFY's 8,000 bytes) used to commit
// and then answer 500; the retry got 409 and other replicas never heard of it. Now the notice
// commits with the write and every other process of the store reads it from the change log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DIRECTORY_CHANGED_TOPIC, type DirectoryChangedNotice } from '../../src/directory/provisioning-effects.ts';
import { storeConfigOf } from '../../src/cli/compose.ts';
import { openStore } from '../../src/store/open-store.ts';
import { GROUP_SCHEMA, onEachBackend, PATCH_OP, USER_SCHEMA } from '../harness/scim-client.ts';

onEachBackend('a large change notice', (scim, stack) => {
  test('a group PATCH adding 50 users with 177-character userNames answers 204, and another process hears every email', async () => {
    const names = Array.from({ length: 50 }, (_, i) => `${String(i).padStart(2, '0')}${'u'.repeat(163)}@contoso.com`);
    assert.equal(names[0]!.length, 177);
    const ids: string[] = [];
    for (const userName of names) {
      const r = await scim()('POST', '/Users', { schemas: [USER_SCHEMA], userName, active: true });
      assert.equal(r.status, 201);
      ids.push(String(r.json['id']));
    }
    const g = await scim()('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Long names' });
    assert.equal(g.status, 201);

    // A second process on the same store: a replica, or the CLI.
    const other = await openStore(storeConfigOf(stack().config));
    try {
      const heard = new Promise<DirectoryChangedNotice>((resolve) => {
        other.changes.subscribe(DIRECTORY_CHANGED_TOPIC, (p) => {
          const n = p as DirectoryChangedNotice;
          if (n.emails.length === 50) resolve(n);
        });
      });
      const r = await scim()('PATCH', `/Groups/${String(g.json['id'])}`, {
        schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: ids.map((value) => ({ value })) }],
      });
      assert.equal(r.status, 204, JSON.stringify(r.json));
      const n = await Promise.race([heard, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no notice within 3 s')), 3000))]);
      assert.deepEqual([...n.emails].sort(), [...names].sort());
      const again = await scim()('GET', `/Groups/${String(g.json['id'])}`);
      assert.equal((again.json['members'] as unknown[]).length, 50);
    } finally {
      await other.close();
    }
  });
});
