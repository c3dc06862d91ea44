import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLength, checkStorableJson, isStorable, SCIM_LIMITS } from './limits.ts';
import { findAttr, USER } from './schemas.ts';
import { ScimError } from './errors.ts';

const invalidValue = (detail: RegExp) => (e: unknown) =>
  e instanceof ScimError && e.status === 400 && e.scimType === 'invalidValue' && detail.test(e.detail);

test('NUL and unpaired surrogates are unstorable; a surrogate pair is not', () => {
  assert.equal(isStorable('plain'), true);
  assert.equal(isStorable('\u{1F600}'), true);
  for (const s of ['a\u0000', '\ud800', '\udc00x', 'x\ud83d']) assert.equal(isStorable(s), false, JSON.stringify(s));
});

test('the JSON walk names where the bad text is, keys included, at any depth', () => {
  const nul = { a: [{ b: 'ok' }, { c: '\u0000' }] };
  assert.throws(() => checkStorableJson(nul, 'body'), invalidValue(/^body\.a\[1\]\.c /));
  assert.throws(() => checkStorableJson({ a: { 'k\ud800': 1 } }, 'body'), invalidValue(/^a key in body\.a /));
  let deep: unknown = '\u0000';
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.throws(() => checkStorableJson(deep, 'body'), invalidValue(/NUL/));
  checkStorableJson({ n: 1, b: true, z: null, s: ['fine'] }, 'body');
});

test('lengths count characters, so an emoji counts once', () => {
  const userName = findAttr(USER.core.attributes, 'userName')!;
  checkLength(userName, '\u{1F600}'.repeat(SCIM_LIMITS.string), 'userName');
  const over = 'x'.repeat(SCIM_LIMITS.string + 1);
  assert.throws(() => checkLength(userName, over, 'userName'), invalidValue(/^userName: longer than 256/));
});
