import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScimError, toScimErrorBody } from './errors.ts';

test('toScimErrorBody renders the RFC 7644 §3.12 body with status as a string', () => {
  const body = toScimErrorBody(new ScimError(409, 'uniqueness', 'userName already exists'));
  assert.deepEqual(body, {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
    status: '409',
    scimType: 'uniqueness',
    detail: 'userName already exists',
  });
});

test('toScimErrorBody omits scimType when there is none and keeps a stable code', () => {
  const err = new ScimError(404, undefined, 'User not found');
  assert.equal(err.code, 'status_404');
  assert.deepEqual(toScimErrorBody(err), { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404', detail: 'User not found' });
});

test('toScimErrorBody hides the message of unexpected errors behind a 500', () => {
  const body = toScimErrorBody(new Error('relation "users" does not exist'));
  assert.equal(body.status, '500');
  assert.doesNotMatch(JSON.stringify(body), /relation/);
});
