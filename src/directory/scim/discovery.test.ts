import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findResourceType, findSchema, resourceTypesDocument, schemasDocument, serviceProviderConfig } from './discovery.ts';

const BASE = 'https://auth.example.com/scim/v2/';

function hasNull(v: unknown): boolean {
  if (v === null) return true;
  if (Array.isArray(v)) return v.some(hasNull);
  if (typeof v === 'object') return Object.values(v as object).some(hasNull);
  return false;
}

test('ServiceProviderConfig advertises what the core implements', () => {
  const spc = serviceProviderConfig(BASE);
  assert.deepEqual(spc['patch'], { supported: true });
  assert.deepEqual(spc['bulk'], { supported: false, maxOperations: 0, maxPayloadSize: 0 });
  assert.deepEqual(spc['filter'], { supported: true, maxResults: 1000 });
  assert.deepEqual(spc['changePassword'], { supported: false });
  assert.deepEqual(spc['sort'], { supported: true });
  assert.deepEqual(spc['etag'], { supported: true });
  assert.equal((spc['authenticationSchemes'] as Array<{ type: string }>)[0]?.type, 'oauthbearertoken');
  assert.deepEqual(spc['meta'], { resourceType: 'ServiceProviderConfig', location: 'https://auth.example.com/scim/v2/ServiceProviderConfig' });
});

test('ResourceTypes list User (with the enterprise extension) and Group; Postman asserts Resources[0].endpoint', () => {
  const doc = resourceTypesDocument(BASE) as { Resources: Array<Record<string, unknown>>; totalResults: number };
  assert.equal(doc.totalResults, 2);
  assert.equal(doc.Resources[0]?.['endpoint'], '/Users');
  assert.deepEqual(doc.Resources[0]?.['schemaExtensions'], [{ schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', required: false }]);
  assert.equal(findResourceType(BASE, 'group')?.['endpoint'], '/Groups');
  assert.equal(findResourceType(BASE, 'Me'), undefined);
});

test('Schemas carry no nulls, no password, no emails.display, and say "User Account"', () => {
  const doc = schemasDocument(BASE);
  const text = JSON.stringify(doc);
  assert.equal(hasNull(doc), false);
  assert.match(text, /User Account/);
  assert.doesNotMatch(text, /"password"/);
  const user = findSchema(BASE, 'URN:ietf:params:scim:schemas:core:2.0:user') as { attributes: Array<{ name: string; subAttributes?: Array<{ name: string }> }> };
  const emails = user.attributes.find((a) => a.name === 'emails');
  assert.deepEqual(emails?.subAttributes?.map((s) => s.name), ['value', 'type', 'primary']);
  const ent = findSchema(BASE, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User') as { attributes: Array<{ name: string; subAttributes?: Array<{ name: string }> }> };
  assert.deepEqual(ent.attributes.find((a) => a.name === 'manager')?.subAttributes?.map((s) => s.name), ['value', '$ref', 'displayName']);
});
