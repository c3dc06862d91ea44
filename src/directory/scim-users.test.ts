import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { openKit, patch, userBody, type Kit } from './testing.ts';

describe('SCIM /Users on a real SQLite store', () => {
  let k: Kit;
  before(async () => { k = await openKit(); });
  after(async () => { await k.close(); });

  const create = async (userName: string, extra: Record<string, unknown> = {}) => {
    const r = await k.call('POST', '/Users', userBody(userName, extra));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.json['id'] as string;
  };

  test('POST assigns id and meta, sends Location and a weak ETag, and coerces "True"', async () => {
    const r = await k.call('POST', '/Users', userBody('alice@contoso.com', { active: 'True', id: 'client-chosen', meta: { version: 'x' } }));
    assert.equal(r.status, 201);
    const id = r.json['id'] as string;
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.notEqual(id, 'client-chosen');
    assert.equal(r.json['active'], true);
    const meta = r.json['meta'] as Record<string, string>;
    assert.equal(meta['resourceType'], 'User');
    assert.equal(meta['location'], `https://auth.example.com/scim/v2/Users/${id}`);
    assert.equal(meta['version'], 'W/"1"');
    assert.equal(r.headers['location'], meta['location']);
    assert.equal(r.headers['etag'], 'W/"1"');
    assert.ok(!Number.isNaN(Date.parse(meta['created']!)));
  });

  test('a duplicate userName (any case) is 409 uniqueness with a detail', async () => {
    const r = await k.call('POST', '/Users', userBody('ALICE@contoso.com'));
    assert.equal(r.status, 409);
    assert.equal(r.json['scimType'], 'uniqueness');
    assert.equal(r.json['status'], '409');
    assert.equal(typeof r.json['detail'], 'string');
  });

  test('missing userName is 400', async () => {
    const r = await k.call('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], active: true });
    assert.equal(r.status, 400);
  });

  test("Test Connection's random-GUID filter returns an empty ListResponse", async () => {
    const r = await k.call('GET', `/Users?filter=${encodeURIComponent(`userName eq "${randomUUID()}"`)}`);
    assert.equal(r.status, 200);
    assert.equal(r.json['totalResults'], 0);
    assert.deepEqual(r.json['schemas'], ['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
  });

  test('filter by userName is case-insensitive; lower-case /users and trailing slash work', async () => {
    const r = await k.call('GET', `/users/?filter=${encodeURIComponent('UserName eq "Alice@Contoso.com"')}`);
    assert.equal(r.status, 200);
    assert.equal(r.json['totalResults'], 1);
    const [u] = r.json['Resources'] as Record<string, unknown>[];
    assert.equal(u!['userName'], 'alice@contoso.com');
  });

  test('a malformed filter is 400 invalidFilter, never everything', async () => {
    for (const f of ['userName eq', 'bogusAttr eq "x"', 'active gt true', '((userName eq "a"']) {
      const r = await k.call('GET', `/Users?filter=${encodeURIComponent(f)}`);
      assert.equal(r.status, 400, f);
      assert.equal(r.json['scimType'], 'invalidFilter', f);
    }
  });

  test('unknown id is 404 with an Error body', async () => {
    const r = await k.call('GET', '/Users/00919288221112222');
    assert.equal(r.status, 404);
    assert.equal(r.json['status'], '404');
    assert.deepEqual(r.json['schemas'], ['urn:ietf:params:scim:api:messages:2.0:Error']);
  });

  test('GET honours attributes and paging echoes startIndex', async () => {
    await create('p1@contoso.com');
    await create('p2@contoso.com');
    const id = await create('p3@contoso.com');
    const one = await k.call('GET', `/Users/${id}?attributes=userName`);
    assert.deepEqual(Object.keys(one.json).sort(), ['id', 'schemas', 'userName']);
    const page = await k.call('GET', '/Users?startIndex=2&count=2');
    assert.equal(page.json['startIndex'], 2);
    assert.equal(page.json['itemsPerPage'], 2);
    assert.ok((page.json['totalResults'] as number) >= 4);
  });

  test('Entra default dialect: Replace with a filtered email path and Add of an empty single value → 204', async () => {
    const id = await create('bob@contoso.com');
    const r = await k.call('PATCH', `/Users/${id}`, patch(
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'robert@contoso.com' },
      { op: 'Replace', path: 'name.familyName', value: 'Builder' },
      { op: 'Add', path: 'nickName', value: 'Bob' },
      { op: 'Replace', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber', value: '42' },
    ));
    assert.equal(r.status, 204);
    assert.equal(r.headers['etag'], 'W/"2"');
    const g = await k.call('GET', `/Users/${id}`);
    assert.equal((g.json['emails'] as { value: string }[])[0]!.value, 'robert@contoso.com');
    assert.equal((g.json['name'] as { familyName: string }).familyName, 'Builder');
    assert.equal(g.json['nickName'], 'Bob');
    assert.equal((g.json['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'] as { employeeNumber: string }).employeeNumber, '42');
  });

  test('aadOptscim062020 dialect: path-less replace with dotted and URN keys expands into attributes', async () => {
    const id = await create('carol@contoso.com');
    const r = await k.call('PATCH', `/Users/${id}`, patch({ op: 'replace', value: {
      displayName: 'Carol C', 'name.givenName': 'Carol', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department': 'Ops',
    } }));
    assert.equal(r.status, 204);
    const g = await k.call('GET', `/Users/${id}`);
    assert.equal(g.json['displayName'], 'Carol C');
    assert.equal((g.json['name'] as { givenName: string }).givenName, 'Carol');
    assert.equal((g.json['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'] as { department: string }).department, 'Ops');
    assert.equal(g.json['name.givenName'], undefined);
  });

  test('PATCH is all or nothing: an invalid second operation leaves the user unchanged', async () => {
    const id = await create('dave@contoso.com');
    const r = await k.call('PATCH', `/Users/${id}`, patch(
      { op: 'replace', path: 'displayName', value: 'Changed' },
      { op: 'replace', path: 'noSuchAttribute', value: 'x' },
    ));
    assert.equal(r.status, 400);
    assert.equal(r.json['scimType'], 'invalidPath');
    const g = await k.call('GET', `/Users/${id}`);
    assert.equal(g.json['displayName'], undefined);
    assert.equal((g.json['meta'] as { version: string }).version, 'W/"1"');
  });

  test('If-Match with a stale version is 412; the current one passes', async () => {
    const id = await create('erin@contoso.com');
    const stale = await k.call('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'displayName', value: 'E' }), { ifMatch: 'W/"7"' });
    assert.equal(stale.status, 412);
    const ok = await k.call('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'displayName', value: 'E' }), { ifMatch: 'W/"1"' });
    assert.equal(ok.status, 204);
  });

  test('PUT replaces the user and ignores misspelled attributes; PUT without userName is 400', async () => {
    const id = await create('frank@contoso.com');
    const r = await k.call('PUT', `/Users/${id}`, userBody('frank@contoso.com', { displayName: 'Frank', adreses: [{ x: 1 }] }));
    assert.equal(r.status, 200);
    assert.equal(r.json['displayName'], 'Frank');
    assert.equal(r.headers['etag'], 'W/"2"');
    const bad = await k.call('PUT', `/Users/${id}`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], active: true });
    assert.equal(bad.status, 400);
  });

  test('DELETE is 204, then 404 on GET and on a second DELETE', async () => {
    const id = await create('gone@contoso.com');
    assert.equal((await k.call('DELETE', `/Users/${id}`)).status, 204);
    assert.equal((await k.call('GET', `/Users/${id}`)).status, 404);
    assert.equal((await k.call('DELETE', `/Users/${id}`)).status, 404);
  });

  test('directories are isolated: another directory sees 404 and an empty list', async () => {
    const id = await create('iso@contoso.com');
    const other = await k.newDirectory('okta');
    assert.equal((await k.call('GET', `/Users/${id}`, undefined, { directoryId: other })).status, 404);
    assert.equal((await k.call('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'active', value: false }), { directoryId: other })).status, 404);
    assert.equal((await k.call('DELETE', `/Users/${id}`, undefined, { directoryId: other })).status, 404);
    const list = await k.call('GET', '/Users', undefined, { directoryId: other });
    assert.equal(list.json['totalResults'], 0);
    // The same userName may exist in another directory.
    assert.equal((await k.call('POST', '/Users', userBody('iso@contoso.com'), { directoryId: other })).status, 201);
  });
});
