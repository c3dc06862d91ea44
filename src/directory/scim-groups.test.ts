import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openKit, patch, userBody, type Kit } from './testing.ts';

const GROUP = ['urn:ietf:params:scim:schemas:core:2.0:Group', 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'];

describe('SCIM /Groups on a real SQLite store', () => {
  let k: Kit;
  let users: string[] = [];
  before(async () => {
    k = await openKit();
    for (const n of ['ann', 'ben', 'cat', 'dan']) {
      const r = await k.call('POST', '/Users', userBody(`${n}@contoso.com`));
      users.push(r.json['id'] as string);
    }
  });
  after(async () => { await k.close(); });

  const group = async (displayName: string, members?: string[]) => {
    const r = await k.call('POST', '/Groups', { schemas: GROUP, externalId: crypto.randomUUID(), displayName, meta: { resourceType: 'Group' }, ...(members ? { members: members.map((value) => ({ value })) } : {}) });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.json['id'] as string;
  };
  const memberIds = async (id: string) => {
    const r = await k.call('GET', `/Groups/${id}`);
    return ((r.json['members'] as { value: string }[] | undefined) ?? []).map((m) => m.value).sort();
  };

  test('Entra creates an empty group (non-standard second schema accepted), then finds it by displayName without members', async () => {
    const id = await group('Engineering');
    const r = await k.call('GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "Engineering"')}`);
    assert.equal(r.json['totalResults'], 1);
    const [g] = r.json['Resources'] as Record<string, unknown>[];
    assert.equal(g!['id'], id);
    assert.equal(g!['members'], undefined);
    assert.equal((await k.call('POST', '/Groups', { schemas: GROUP, displayName: 'engineering' })).status, 409);
  });

  test('add members (several in one PATCH, idempotent), then both removal dialects', async () => {
    const id = await group('Sales');
    const add = patch({ op: 'Add', path: 'members', value: users.slice(0, 3).map((value) => ({ $ref: null, value })) });
    assert.equal((await k.call('PATCH', `/Groups/${id}`, add)).status, 204);
    assert.equal((await k.call('PATCH', `/Groups/${id}`, add)).status, 204);
    assert.deepEqual(await memberIds(id), users.slice(0, 3).sort());
    // Without the flag: Remove + value list means exactly these, not "wipe the group".
    await k.call('PATCH', `/Groups/${id}`, patch({ op: 'Remove', path: 'members', value: [{ $ref: null, value: users[0] }] }));
    assert.deepEqual(await memberIds(id), users.slice(1, 3).sort());
    // With aadOptscim062020: a filtered path.
    await k.call('PATCH', `/Groups/${id}`, patch({ op: 'remove', path: `members[value eq "${users[1]}"]` }));
    assert.deepEqual(await memberIds(id), [users[2]]);
    await k.call('PATCH', `/Groups/${id}`, patch({ op: 'remove', path: 'members' }));
    assert.deepEqual(await memberIds(id), []);
  });

  test('rename with Replace displayName is 204; the group version moves', async () => {
    const id = await group('Old name');
    const r = await k.call('PATCH', `/Groups/${id}`, patch({ op: 'Replace', path: 'displayName', value: 'New name' }));
    assert.equal(r.status, 204);
    assert.equal(r.headers['etag'], 'W/"2"');
    assert.equal((await k.call('GET', `/Groups/${id}`)).json['displayName'], 'New name');
  });

  test('unknown member ids are ignored, as Microsoft\'s collection expects ("string id 1" → 204)', async () => {
    const id = await group('Garbage');
    const r = await k.call('PATCH', `/Groups/${id}`, patch({ op: 'add', path: 'members', value: 'string id 1' }));
    assert.equal(r.status, 204);
    assert.deepEqual(await memberIds(id), []);
    const created = await group('Garbage2', ['nope', users[0]!]);
    assert.deepEqual(await memberIds(created), [users[0]]);
  });

  test('PATCH is atomic: a bad second op leaves displayName and members unchanged', async () => {
    const id = await group('Atomic', [users[0]!]);
    const r = await k.call('PATCH', `/Groups/${id}`, patch(
      { op: 'replace', path: 'displayName', value: 'Changed' },
      { op: 'add', path: 'members', value: [{ value: users[1] }] },
      { op: 'replace', path: 'members[display eq "x"].value', value: 'y' },
    ));
    assert.equal(r.status, 400);
    const g = await k.call('GET', `/Groups/${id}`);
    assert.equal(g.json['displayName'], 'Atomic');
    assert.deepEqual(await memberIds(id), [users[0]]);
  });

  test('50 concurrent PATCH adds to one group lose no member', async () => {
    const id = await group('Crowd');
    const many: string[] = [];
    for (let i = 0; i < 50; i++) many.push((await k.call('POST', '/Users', userBody(`crowd${i}@contoso.com`))).json['id'] as string);
    const rs = await Promise.all(many.map((value) => k.call('PATCH', `/Groups/${id}`, patch({ op: 'Add', path: 'members', value: [{ value }] }))));
    assert.ok(rs.every((r) => r.status === 204));
    assert.deepEqual(await memberIds(id), many.sort());
    const g = await k.call('GET', `/Groups/${id}`);
    assert.equal((g.json['meta'] as { version: string }).version, 'W/"51"');
  });

  test('PUT replaces members exactly; GET with excludedAttributes=members omits them', async () => {
    const id = await group('Put', [users[0]!, users[1]!]);
    const r = await k.call('PUT', `/Groups/${id}`, { schemas: GROUP, displayName: 'Put', members: [{ value: users[2] }, { value: users[3] }] });
    assert.equal(r.status, 200);
    assert.deepEqual(((r.json['members'] as { value: string }[])).map((m) => m.value).sort(), [users[2], users[3]].sort());
    const lean = await k.call('GET', `/Groups/${id}?excludedAttributes=members`);
    assert.equal(lean.json['members'], undefined);
    assert.equal(lean.json['displayName'], 'Put');
  });

  test('membership changes call the group-change hook for each affected user only', async () => {
    const id = await group('Hooked');
    k.hookCalls.length = 0;
    await k.call('PATCH', `/Groups/${id}`, patch({ op: 'add', path: 'members', value: [{ value: users[0] }, { value: users[1] }] }));
    assert.deepEqual(k.hookCalls.sort(), ['ann@contoso.com', 'ben@contoso.com']);
    k.hookCalls.length = 0;
    await k.call('PATCH', `/Groups/${id}`, patch({ op: 'add', path: 'members', value: [{ value: users[0] }] }));
    assert.deepEqual(k.hookCalls, [], 'an add that changes nothing affects no one');
    await k.call('PATCH', `/Groups/${id}`, patch({ op: 'replace', path: 'displayName', value: 'Hooked2' }));
    assert.deepEqual(k.hookCalls, []);
    assert.equal((await k.call('DELETE', `/Groups/${id}`)).status, 204);
    assert.deepEqual(k.hookCalls.sort(), ['ann@contoso.com', 'ben@contoso.com']);
    assert.equal((await k.call('GET', `/Groups/${id}`)).status, 404);
  });

  test('list with members returns them; If-Match mismatch on a group is 412', async () => {
    const id = await group('Listed', [users[3]!]);
    const r = await k.call('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Listed"')}`);
    const [g] = r.json['Resources'] as Record<string, unknown>[];
    assert.deepEqual((g!['members'] as { value: string }[]).map((m) => m.value), [users[3]]);
    assert.equal((await k.call('PATCH', `/Groups/${id}`, patch({ op: 'replace', path: 'displayName', value: 'x' }), { ifMatch: 'W/"99"' })).status, 412);
  });

  test('a GET user carries its groups', async () => {
    const id = await group('Visible', [users[2]!]);
    const u = await k.call('GET', `/Users/${users[2]}`);
    assert.ok((u.json['groups'] as { value: string }[]).some((g) => g.value === id));
  });
});
