import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readCookie, serializeCookie, stripCookies } from './cookies.ts';

test('cookies are HttpOnly, Secure on HTTPS, and SameSite=None falls back to Lax without Secure', () => {
  assert.equal(serializeCookie('s', 'v', { secure: true, sameSite: 'none', maxAgeSeconds: 60 }), 's=v; Path=/; Max-Age=60; HttpOnly; SameSite=None; Secure');
  assert.equal(serializeCookie('s', 'v', { secure: false, sameSite: 'none' }), 's=v; Path=/; HttpOnly; SameSite=Lax');
});

test('two cookies of our name are ambiguous and read as none (cookie tossing)', () => {
  assert.equal(readCookie('a=1; moatless_session=x; moatless_session=y', 'moatless_session'), null);
  assert.equal(readCookie('a=1; moatless_session=x', 'moatless_session'), 'x');
  assert.equal(readCookie('garbage;;==;', 'moatless_session'), null);
});

test('our cookies are removed from what the origin sees; theirs stay', () => {
  assert.equal(stripCookies('a=1; moatless_session=x; moatless_auth=y; b=2', (n) => n.startsWith('moatless_')), 'a=1; b=2');
  assert.equal(stripCookies('moatless_session=x', (n) => n.startsWith('moatless_')), null);
});
