import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildListResponse, listInMemory, parseListQuery } from './list.ts';
import { GROUP, USER } from './schemas.ts';
import { ScimError } from './errors.ts';
import type { JsonObject } from './json.ts';

const q = (s: string) => parseListQuery(new URLSearchParams(s), USER);

describe('parseListQuery', () => {
  test('defaults', () => {
    assert.deepEqual(q(''), { filter: undefined, sortBy: undefined, sortOrder: 'ascending', startIndex: 1, count: 100, attributes: undefined, excludedAttributes: undefined });
  });
  test('RFC 7644 §3.4.2.4 paging rules and the server maximum', () => {
    assert.equal(q('startIndex=0').startIndex, 1);
    assert.equal(q('startIndex=-5').startIndex, 1);
    assert.equal(q('startIndex=abc').startIndex, 1);
    assert.equal(q('startIndex=7').startIndex, 7);
    assert.equal(q('count=-1').count, 0);
    assert.equal(q('count=x').count, 100);
    assert.equal(q('count=5000').count, 1000);
    assert.equal(q('COUNT=2').count, 2);
  });
  test('filter is parsed and validated; unknown params such as aadOptscim062020 are ignored', () => {
    const query = q('aadOptscim062020&filter=userName%20eq%20%22a%22&excludedAttributes=emails');
    assert.deepEqual(query.filter, { op: 'eq', path: { attr: 'username' }, value: 'a' });
    assert.deepEqual(query.excludedAttributes, [{ attr: 'emails' }]);
  });
  test('errors', () => {
    const codes: Array<[string, string]> = [
      ['filter=userName%20eq', 'invalidFilter'],
      ['filter=nosuch%20pr', 'invalidFilter'],
      ['filter=a%20pr&filter=b%20pr', 'invalidFilter'],
      ['sortOrder=up', 'invalidValue'],
      ['sortBy=nosuch', 'invalidValue'],
    ];
    for (const [s, code] of codes) {
      assert.throws(() => q(s), (e: unknown) => e instanceof ScimError && e.status === 400 && e.scimType === code, s);
    }
  });
  test('excludedAttributes=members with a displayName filter on /Groups', () => {
    const query = parseListQuery(new URLSearchParams('excludedAttributes=members&filter=displayName eq "Engineering"'), GROUP);
    assert.deepEqual(query.excludedAttributes, [{ attr: 'members' }]);
  });
});

describe('list responses', () => {
  const users: JsonObject[] = ['e', 'b', 'd', 'a', 'c'].map((n, i) => ({ id: `id${i}`, userName: n }));

  test('Test Connection: zero hits is an empty ListResponse', () => {
    const r = listInMemory(users, q('filter=userName eq "6f1e1a58-guid"'), USER);
    assert.deepEqual(r, { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
  });
  test('Postman paging startIndex=1&count=2 → totalResults 5, itemsPerPage 2', () => {
    const r = listInMemory(users, q('startIndex=1&count=2'), USER);
    assert.equal(r.totalResults, 5);
    assert.equal(r.itemsPerPage, 2);
  });
  test('pages are stable and echo startIndex; sorting works both ways', () => {
    const r = listInMemory(users, q('sortBy=userName&startIndex=2&count=2'), USER);
    assert.equal(r.startIndex, 2);
    assert.deepEqual(r.Resources?.map((u) => u['userName']), ['b', 'c']);
    const d = listInMemory(users, q('sortBy=userName&sortOrder=descending&count=2'), USER);
    assert.deepEqual(d.Resources?.map((u) => u['userName']), ['e', 'd']);
  });
  test('count=0 returns totalResults only', () => {
    assert.deepEqual(buildListResponse([], 5, { startIndex: 1, count: 0 }), {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 5, startIndex: 1, itemsPerPage: 0,
    });
  });
});
