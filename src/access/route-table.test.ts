import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RouteTable } from './route-table.ts';

const h = (host: string, pathPrefix = '/') => ({ host, wildcard: host.startsWith('*.'), pathPrefix });

test('exact host beats wildcard and the longest path prefix wins', () => {
  const t = new RouteTable<string>();
  t.add(h('*.example.com'), 'wild');
  t.add(h('wiki.example.com'), 'wiki');
  t.add(h('wiki.example.com', '/admin'), 'wiki-admin');
  assert.equal(t.lookup('wiki.example.com', '/'), 'wiki');
  assert.equal(t.lookup('wiki.example.com', '/admin'), 'wiki-admin');
  assert.equal(t.lookup('wiki.example.com', '/admin/users'), 'wiki-admin');
  assert.equal(t.lookup('wiki.example.com', '/administrator'), 'wiki', 'a prefix matches whole segments only');
  assert.equal(t.lookup('other.example.com', '/x'), 'wild');
});

test('a wildcard covers exactly one label', () => {
  const t = new RouteTable<string>();
  t.add(h('*.example.com'), 'wild');
  assert.equal(t.lookup('example.com', '/'), null);
  assert.equal(t.lookup('a.b.example.com', '/'), null);
  assert.equal(t.lookup('evil-example.com', '/'), null);
});

test('a host whose only app has a path prefix matches nothing outside it', () => {
  const t = new RouteTable<string>();
  t.add(h('example.com', '/wiki'), 'wiki');
  assert.equal(t.lookup('example.com', '/wiki/page'), 'wiki');
  assert.equal(t.lookup('example.com', '/other'), null);
});
