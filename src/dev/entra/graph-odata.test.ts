// OData option parsing: filters fail closed, $top bounds, skip tokens, nextLink shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphError } from './errors.ts';
import { decodeSkipToken, paginate, parseFilter, parseTop } from './graph-odata.ts';

const props = new Set(['displayName', 'securityEnabled']);

test('eq clauses with doubled quotes and booleans, joined by and', () => {
  assert.deepEqual(parseFilter("displayName eq 'O''Brien' and securityEnabled eq true", props), [
    { prop: 'displayName', value: "O'Brien" }, { prop: 'securityEnabled', value: true },
  ]);
});

test('anything else is a 400 Request_UnsupportedQuery', () => {
  for (const f of ["displayName ne 'x'", "mail eq 'x'", "displayName eq 'x' and", "displayName eq 'x' or displayName eq 'y'"]) {
    assert.throws(() => parseFilter(f, props), (e) => e instanceof GraphError && e.status === 400 && e.code === 'Request_UnsupportedQuery', f);
  }
});

test('$top is 1..999 and a forged skip token is rejected', () => {
  assert.equal(parseTop(null), 100);
  assert.equal(parseTop('999'), 999);
  assert.throws(() => parseTop('0'), GraphError);
  assert.throws(() => parseTop('1e2'), GraphError);
  assert.throws(() => decodeSkipToken('bm9wZQ'), GraphError);
});

test('nextLink keeps the other options with literal $ and stops on the last page', () => {
  const items = Array.from({ length: 3 }, (_, i) => ({ id: String(i) }));
  const q = new URLSearchParams('$top=2&$select=id');
  const first = paginate(items, q, 'https://graph.microsoft.com/v1.0/users', 'ctx');
  assert.match(first['@odata.nextLink'] ?? '', /^https:\/\/graph\.microsoft\.com\/v1\.0\/users\?\$top=2&\$select=id&\$skiptoken=/);
  const next = new URL(first['@odata.nextLink'] ?? '');
  const second = paginate(items, next.searchParams, 'https://graph.microsoft.com/v1.0/users', 'ctx');
  assert.deepEqual(second.value, [{ id: '2' }]);
  assert.equal(second['@odata.nextLink'], undefined);
});
