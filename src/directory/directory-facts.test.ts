import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openKit, patch, userBody, type Kit } from './testing.ts';
import { createDirectoryFacts } from './directory-facts.ts';

describe('directory facts for the proxy', () => {
  let k: Kit;
  before(async () => { k = await openKit(); });
  after(async () => { await k.close(); });

  test('a never-provisioned user has no facts (policies use the IdP identity alone)', async () => {
    const facts = createDirectoryFacts(k.store);
    assert.equal(await facts('nobody@contoso.com'), undefined);
  });

  test('groups and active come from the store, by primary email or userName', async () => {
    const u = await k.call('POST', '/Users', userBody('upn@contoso.onmicrosoft.com', { emails: [{ primary: true, type: 'work', value: 'Fay@Contoso.com' }] }));
    const g = await k.call('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Staff', members: [{ value: u.json['id'] }] });
    assert.equal(g.status, 201);
    const facts = createDirectoryFacts(k.store);
    assert.deepEqual(await facts('fay@contoso.com'), { active: true, groups: ['Staff'] });
    assert.deepEqual(await facts('UPN@contoso.onmicrosoft.com'), { active: true, groups: ['Staff'] });
  });

  test('a cached entry is dropped by the directory.changed notice of the next SCIM write', async () => {
    let t = 1_000;
    const facts = createDirectoryFacts(k.store, { ttlMs: 3_600_000, now: () => t });
    const u = await k.call('POST', '/Users', userBody('gil@contoso.com'));
    const gid = (await k.call('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Risky' })).json['id'];
    assert.deepEqual(await facts('gil@contoso.com'), { active: true, groups: [] });
    await k.call('PATCH', `/Groups/${String(gid)}`, patch({ op: 'add', path: 'members', value: [{ value: u.json['id'] }] }));
    assert.deepEqual(await facts('gil@contoso.com'), { active: true, groups: ['Risky'] });
    await k.call('PATCH', `/Users/${String(u.json['id'])}`, patch({ op: 'replace', path: 'active', value: 'False' }));
    assert.deepEqual(await facts('gil@contoso.com'), { active: false, groups: [] });
    t += 1; // same clock: only the notice could have refreshed it
  });

  test('within the TTL and without a change, the cache answers', async () => {
    const facts = createDirectoryFacts(k.store, { ttlMs: 3_600_000, now: () => 5 });
    await k.call('POST', '/Users', userBody('hal@contoso.com'));
    assert.equal((await facts('hal@contoso.com'))?.active, true);
    // A write that bypasses SCIM (no notice) is invisible until the TTL: proves the cache is used.
    const [owner] = await k.store.directory.users.findByEmail('hal@contoso.com');
    await k.store.directory.users.delete(owner!.directoryId, owner!.id);
    assert.equal((await facts('hal@contoso.com'))?.active, true);
    assert.equal(await createDirectoryFacts(k.store)('hal@contoso.com'), undefined);
  });

  test('a cache hit is answered without a promise; a SCIM change still reaches the next request', async () => {
    const facts = createDirectoryFacts(k.store, { ttlMs: 3_600_000, now: () => 7 });
    const u = await k.call('POST', '/Users', userBody('ivy@contoso.com'));
    const miss = facts('ivy@contoso.com');
    assert.ok(miss instanceof Promise);
    assert.deepEqual(await miss, { active: true, groups: [] });
    assert.deepEqual(facts('Ivy@contoso.com'), { active: true, groups: [] }, 'answered at once from the cache');
    await k.call('PATCH', `/Users/${String(u.json['id'])}`, patch({ op: 'replace', path: 'active', value: 'False' }));
    assert.deepEqual(await facts('ivy@contoso.com'), { active: false, groups: [] });
  });
});
