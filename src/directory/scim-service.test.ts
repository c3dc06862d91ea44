import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { GroupsRepo, Store, TxStore } from '../store/ports.ts';
import { handleScim } from './scim-service.ts';
import { BASE, openKit, patch, userBody, type Kit } from './testing.ts';

describe('SCIM discovery and routing', () => {
  let k: Kit;
  before(async () => { k = await openKit(); });
  after(async () => { await k.close(); });

  test('/ServiceProviderConfig is a single object advertising PATCH and ETags', async () => {
    const r = await k.call('GET', '/ServiceProviderConfig');
    assert.equal(r.status, 200);
    assert.equal((r.json['patch'] as { supported: boolean }).supported, true);
    assert.equal((r.json['etag'] as { supported: boolean }).supported, true);
    assert.equal((r.json['bulk'] as { supported: boolean }).supported, false);
  });

  test('/Schemas, /Schemas/{urn}, /ResourceTypes and /ResourceTypes/User', async () => {
    const all = await k.call('GET', '/Schemas');
    assert.ok((all.json['totalResults'] as number) >= 3);
    const one = await k.call('GET', '/Schemas/urn:ietf:params:scim:schemas:core:2.0:User');
    assert.equal(one.json['id'], 'urn:ietf:params:scim:schemas:core:2.0:User');
    const types = await k.call('GET', '/resourcetypes/');
    assert.equal((types.json['Resources'] as { endpoint: string }[])[0]!.endpoint, '/Users');
    assert.equal((await k.call('GET', '/ResourceTypes/user')).json['name'], 'User');
    assert.equal((await k.call('GET', '/Schemas/urn:nope')).status, 404);
  });

  test('a filter on a discovery endpoint is 403; a write is 405', async () => {
    assert.equal((await k.call('GET', '/Schemas?filter=id%20eq%20%22x%22')).status, 403);
    const r = await k.call('POST', '/ServiceProviderConfig', {});
    assert.equal(r.status, 405);
    assert.equal(r.json['status'], '405');
  });

  test('/Bulk and /Me are 501; unknown endpoints 404; DELETE /Users is 405', async () => {
    assert.equal((await k.call('POST', '/Bulk', {})).status, 501);
    assert.equal((await k.call('GET', '/Me')).status, 501);
    assert.equal((await k.call('GET', '/Nope')).status, 404);
    assert.equal((await k.call('DELETE', '/Users')).status, 405);
  });

  test('POST /Users/.search filters like GET', async () => {
    await k.call('POST', '/Users', userBody('search@contoso.com'));
    const r = await k.call('POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'userName eq "search@contoso.com"', startIndex: 1, count: 10 });
    assert.equal(r.status, 200);
    assert.equal(r.json['totalResults'], 1);
  });

  test('a large group is PATCHed and read with excludedAttributes=members without reading its member list', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) ids.push((await k.call('POST', '/Users', userBody(`big${i}@contoso.com`))).json['id'] as string);
    const gid = (await k.call('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Big' })).json['id'] as string;
    await k.store.directory.groups.applyMembers(k.directoryId, gid, { add: ids.slice(0, 299), remove: [] });
    // Observe (not replace) the repository: count calls that read members.
    let reads = 0;
    const watch = (g: GroupsRepo): GroupsRepo => new Proxy(g, {
      get(t, p, r) {
        if (p === 'members' || (p === 'list')) return (...a: unknown[]) => { if (p === 'members' || (a[1] as { withMembers?: boolean }).withMembers) reads++; return (Reflect.get(t, p, r) as (...x: unknown[]) => unknown).apply(t, a); };
        return Reflect.get(t, p, r);
      },
    });
    const wrapDir = <S extends Pick<Store, 'directory'>>(s: S): S => new Proxy(s, { get: (t, p, r) => p === 'directory' ? { ...t.directory, groups: watch(t.directory.groups) } : Reflect.get(t, p, r) });
    const store = new Proxy(k.store, {
      get(t, p, r) {
        if (p === 'transaction') return <T>(fn: (tx: TxStore) => Promise<T>) => t.transaction((tx) => fn(wrapDir(tx)));
        if (p === 'directory') return wrapDir(t).directory;
        return Reflect.get(t, p, r);
      },
    });
    const call = (method: string, path: string, body?: unknown) => {
      const u = new URL(path, 'http://x');
      return handleScim({ ...k.deps, store }, { directoryId: k.directoryId, baseUrl: BASE, now: Date.now() }, { method, path: u.pathname, query: u.searchParams, body, headers: {} });
    };
    assert.equal((await call('PATCH', `/Groups/${gid}`, patch({ op: 'Add', path: 'members', value: [{ value: ids[299] }] }))).status, 204);
    assert.equal((await call('PATCH', `/Groups/${gid}`, patch({ op: 'Remove', path: 'members', value: [{ value: ids[0] }] }))).status, 204);
    assert.equal((await call('PATCH', `/Groups/${gid}`, patch({ op: 'Replace', path: 'displayName', value: 'Bigger' }))).status, 204);
    const lean = await call('GET', `/Groups/${gid}?excludedAttributes=members`);
    assert.equal((lean.body as Record<string, unknown>)['members'], undefined);
    await call('GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "Bigger"')}`);
    assert.equal(reads, 0);
    const full = await call('GET', `/Groups/${gid}`);
    assert.equal(((full.body as Record<string, unknown>)['members'] as unknown[]).length, 299);
    assert.ok(reads > 0, 'the probe does see member reads');
  });
});
