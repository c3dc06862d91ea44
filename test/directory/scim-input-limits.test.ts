// Regression: SCIM input that cannot be stored cleanly is refused with 400 invalidValue before
// anything is written, alike on SQLite and PostgreSQL. Oversized strings and lists (an 8,000-char
// userName used to be saved, then answered 500 after commit) and NUL or unpaired surrogates (which
// PostgreSQL refuses with a 500 where SQLite stored them) anywhere: body values and keys, PATCH
// paths, filter literals and query parameters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCIM_LIMITS } from '../../src/directory/scim/index.ts';
import { GROUP_SCHEMA, onEachBackend, PATCH_OP, USER_SCHEMA, type ScimCall, type ScimReply } from '../harness/scim-client.ts';

function assertInvalidValue(r: ScimReply, what: string): void {
  assert.equal(r.status, 400, `${what}: ${JSON.stringify(r.json)}`);
  assert.equal(r.json['scimType'], 'invalidValue', what);
  assert.match(String(r.headers['content-type']), /^application\/scim\+json/, what);
}

const userCount = async (scim: ScimCall): Promise<number> => Number((await scim('GET', '/Users?count=0')).json['totalResults']);
const replace = (path: string, value: unknown) => ({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path, value }] });
let serial = 0;
const userName = (): string => `user${++serial}@contoso.com`;

onEachBackend('SCIM length and count limits', (scim) => {
  test('an 8,000-character userName is 400 invalidValue and nothing is stored', async () => {
    const before = await userCount(scim());
    assertInvalidValue(await scim()('POST', '/Users', { schemas: [USER_SCHEMA], userName: `${'a'.repeat(7988)}@contoso.com` }), 'userName');
    assert.equal(await userCount(scim()), before);
  });

  test('values exactly at each limit are accepted and stored whole', async () => {
    const at = (n: number, suffix = '') => 'x'.repeat(n - suffix.length) + suffix;
    const name = at(SCIM_LIMITS.string, '@contoso.com');
    const r = await scim()('POST', '/Users', {
      schemas: [USER_SCHEMA], userName: name, externalId: at(SCIM_LIMITS.string), displayName: at(SCIM_LIMITS.string),
      name: { givenName: at(SCIM_LIMITS.string), formatted: at(SCIM_LIMITS.text) },
      emails: Array.from({ length: SCIM_LIMITS.values }, (_, i) => ({ type: 'other', value: at(SCIM_LIMITS.string, `${i}@contoso.com`) })),
      addresses: [{ streetAddress: at(SCIM_LIMITS.text) }],
      profileUrl: `https://example.com/${at(SCIM_LIMITS.reference - 20)}`,
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    const got = await scim()('GET', `/Users/${String(r.json['id'])}`);
    assert.equal(got.json['userName'], name);
    assert.equal((got.json['emails'] as unknown[]).length, SCIM_LIMITS.values);
  });

  test('one character or one element over a limit is 400, on POST, PUT and PATCH', async () => {
    const over = 'y'.repeat(SCIM_LIMITS.string + 1);
    const before = await userCount(scim());
    assertInvalidValue(await scim()('POST', '/Users', { schemas: [USER_SCHEMA], userName: userName(), externalId: over }), 'externalId');
    assertInvalidValue(await scim()('POST', '/Users', { schemas: [USER_SCHEMA], userName: userName(), name: { familyName: over } }), 'familyName');
    assertInvalidValue(await scim()('POST', '/Users', {
      schemas: [USER_SCHEMA], userName: userName(), addresses: [{ streetAddress: 'z'.repeat(SCIM_LIMITS.text + 1) }],
    }), 'streetAddress');
    assertInvalidValue(await scim()('POST', '/Users', {
      schemas: [USER_SCHEMA], userName: userName(), emails: Array.from({ length: SCIM_LIMITS.values + 1 }, (_, i) => ({ value: `${i}@contoso.com` })),
    }), 'emails');
    assert.equal(await userCount(scim()), before);

    const name = userName();
    const u = await scim()('POST', '/Users', { schemas: [USER_SCHEMA], userName: name, displayName: 'Kept' });
    const id = String(u.json['id']);
    assertInvalidValue(await scim()('PATCH', `/Users/${id}`, replace('displayName', over)), 'PATCH displayName');
    assertInvalidValue(await scim()('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { displayName: over } }] }), 'path-less');
    assertInvalidValue(await scim()('PUT', `/Users/${id}`, { schemas: [USER_SCHEMA], userName: name, displayName: over }), 'PUT');
    assert.equal((await scim()('GET', `/Users/${id}`)).json['displayName'], 'Kept');
  });

  test('a PATCH may not grow a list past the limit one add at a time', async () => {
    const u = await scim()('POST', '/Users', {
      schemas: [USER_SCHEMA], userName: userName(), emails: Array.from({ length: SCIM_LIMITS.values }, (_, i) => ({ value: `${i}@contoso.com` })),
    });
    const add = { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'emails', value: [{ value: 'one-more@contoso.com' }] }] };
    assertInvalidValue(await scim()('PATCH', `/Users/${String(u.json['id'])}`, add), 'emails add');
  });

  test(`a group takes at most ${SCIM_LIMITS.members} members per request; a long displayName is 400`, async () => {
    const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ value: `00000000-0000-4000-8000-${String(from + i).padStart(12, '0')}` }));
    assertInvalidValue(await scim()('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'g'.repeat(SCIM_LIMITS.string + 1) }), 'displayName');
    assertInvalidValue(await scim()('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Too many', members: ids(SCIM_LIMITS.members + 1) }), 'POST members');
    const g = await scim()('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Big batch' });
    const gid = String(g.json['id']);
    const half = SCIM_LIMITS.members / 2;
    const ops = (extra: number) => ({ schemas: [PATCH_OP], Operations: [
      { op: 'add', path: 'members', value: ids(half) },
      { op: 'add', path: 'members', value: ids(half + extra, half) },
    ] });
    assertInvalidValue(await scim()('PATCH', `/Groups/${gid}`, ops(1)), 'PATCH members over two operations');
    // Unknown ids are skipped (Microsoft's collection expects 204), so exactly the limit is a 204.
    assert.equal((await scim()('PATCH', `/Groups/${gid}`, ops(0))).status, 204);
  });
});

onEachBackend('SCIM text no backend can store', (scim) => {
  const raw = (json: string) => json; // sent verbatim: JSON escapes reach the server as written

  test('NUL or an unpaired surrogate in a body value or key is 400 invalidValue and nothing is stored', async () => {
    const before = await userCount(scim());
    const bodies = [
      raw(`{"schemas":["${USER_SCHEMA}"],"userName":"nul\\u0000@contoso.com"}`),
      raw(`{"schemas":["${USER_SCHEMA}"],"userName":"high\\ud800@contoso.com"}`),
      raw(`{"schemas":["${USER_SCHEMA}"],"userName":"low\\udc00@contoso.com"}`),
      raw(`{"schemas":["${USER_SCHEMA}"],"userName":"key@contoso.com","x\\u0000y":"ignored attribute"}`),
      raw(`{"schemas":["${USER_SCHEMA}"],"userName":"deep@contoso.com","name":{"givenName":"a\\u0000"}}`),
      raw(`{"schemas":["${USER_SCHEMA}"],"userName":"list@contoso.com","emails":[{"value":"\\ud83d@contoso.com"}]}`),
    ];
    for (const body of bodies) assertInvalidValue(await scim()('POST', '/Users', body), body);
    assert.equal(await userCount(scim()), before);
  });

  test('a well-formed surrogate pair is fine', async () => {
    const r = await scim()('POST', '/Users', raw(`{"schemas":["${USER_SCHEMA}"],"userName":"smile\\ud83d\\ude00@contoso.com"}`));
    assert.equal(r.status, 201);
    assert.equal(r.json['userName'], 'smile\u{1F600}@contoso.com');
  });

  test('NUL or an unpaired surrogate in a PATCH value, path or filter literal is 400 invalidValue', async () => {
    const u = await scim()('POST', '/Users', { schemas: [USER_SCHEMA], userName: userName(), displayName: 'Kept', emails: [{ type: 'work', value: 'w@contoso.com' }] });
    const id = String(u.json['id']);
    const patches = [
      raw(`{"schemas":["${PATCH_OP}"],"Operations":[{"op":"replace","path":"displayName","value":"a\\u0000b"}]}`),
      raw(`{"schemas":["${PATCH_OP}"],"Operations":[{"op":"replace","path":"displayName","value":"\\udfff"}]}`),
      raw(`{"schemas":["${PATCH_OP}"],"Operations":[{"op":"replace","path":"display\\u0000Name","value":"x"}]}`),
      raw(`{"schemas":["${PATCH_OP}"],"Operations":[{"op":"replace","value":{"display\\u0000Name":"x"}}]}`),
      raw(`{"schemas":["${PATCH_OP}"],"Operations":[{"op":"replace","path":"emails[value eq \\"\\\\u0000\\"].value","value":"x"}]}`),
    ];
    for (const body of patches) assertInvalidValue(await scim()('PATCH', `/Users/${id}`, body), body);
    assert.equal((await scim()('GET', `/Users/${id}`)).json['displayName'], 'Kept');
  });

  test('NUL in a query parameter or filter literal is 400 invalidValue, never a 500', async () => {
    const queries = [
      `/Users?filter=${encodeURIComponent('userName eq "a\u0000b"')}`,
      `/Users?filter=${encodeURIComponent('userName eq "\\u0000"')}`,
      `/Users?filter=${encodeURIComponent('userName eq "\\ud800"')}`,
      `/Groups?filter=${encodeURIComponent('displayName eq "\\u0000"')}`,
      `/Users?filter=${encodeURIComponent('emails[value eq "\\u0000"]')}`,
      `/Users?attributes=${encodeURIComponent('user\u0000Name')}`,
      `/Users?sortBy=${encodeURIComponent('user\u0000Name')}`,
    ];
    for (const q of queries) assertInvalidValue(await scim()('GET', q), q);
    const search = raw(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName eq \\"\\\\u0000\\""}`);
    assertInvalidValue(await scim()('POST', '/Users/.search', search), '.search');
  });
});
