// `/groups/delta` over real HTTP: the first full sync with paging, `$deltatoken=latest`, added and
// removed members after a token, the role check, and 410 syncStateNotFound for stale or unknown tokens.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEntraEmulator, type EntraEmulator, type FixtureInput } from './index.ts';

const T = '11111111-1111-1111-1111-111111111111';
const APP = '22222222-2222-2222-2222-222222222222';
const NOROLES = '33333333-3333-3333-3333-333333333333';
const SECRET = 'test-secret-123';
const guid = (prefix: string, n: number) => `${prefix}-0000-4000-8000-${String(n).padStart(12, '0')}`;
const users = Array.from({ length: 5 }, (_, i) => ({ id: guid('a0000000', i + 1), userPrincipalName: `u${i}@contoso.com`, displayName: `User ${i}`, password: 'pw' }));
// 25 groups with a page size of 10: three pages on the first sync.
const groups = Array.from({ length: 25 }, (_, i) => ({ id: guid('c0000000', i + 1), displayName: `Group ${i}`, members: i === 0 ? ['u0@contoso.com', 'u1@contoso.com'] : [] }));
const G0 = guid('c0000000', 1);
const G1 = guid('c0000000', 2);
const [U0, U1, U2] = users.map((u) => u.id) as [string, string, string, ...string[]];

const fixture: FixtureInput = {
  tenantId: T, tenantName: 'contoso.onmicrosoft.com',
  clients: [{ clientId: APP, clientSecret: SECRET, graphRoles: ['GroupMember.Read.All'] }, { clientId: NOROLES, clientSecret: SECRET }],
  users, groups,
};

let emu: EntraEmulator;
let clock = Date.parse('2026-01-01T00:00:00Z');
const RETENTION = 60 * 60_000;

async function tokenFor(clientId: string): Promise<string> {
  const res = await fetch(`${emu.url}/${T}/oauth2/v2.0/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: SECRET, scope: `${emu.graphUrl}/.default` }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

let bearer: string;
interface DeltaPage { value: { id: string; displayName?: string; 'members@delta'?: { id: string; '@odata.type': string; '@removed'?: { reason: string } }[] }[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string }
const get = async (pathOrUrl: string, auth = bearer) => fetch(pathOrUrl.startsWith('http') ? pathOrUrl : `${emu.graphUrl}/v1.0${pathOrUrl}`, { headers: { authorization: `Bearer ${auth}` } });

/** Follows nextLinks to the deltaLink; returns every item, the page count and the deltaLink. */
async function sync(start: string): Promise<{ items: DeltaPage['value']; pages: number; deltaLink: string }> {
  const items: DeltaPage['value'] = [];
  let next: string | undefined = start;
  for (let pages = 1; ; pages++) {
    const res = await get(next);
    assert.equal(res.status, 200);
    const body = (await res.json()) as DeltaPage;
    items.push(...body.value);
    if (body['@odata.deltaLink']) {
      assert.equal(body['@odata.nextLink'], undefined, 'a page has a nextLink or a deltaLink, never both');
      return { items, pages, deltaLink: body['@odata.deltaLink'] };
    }
    next = body['@odata.nextLink'];
    assert.ok(next, 'a page without a deltaLink has a nextLink');
    assert.match(next, /\$skiptoken=/);
  }
}

before(async () => {
  emu = await startEntraEmulator({ fixture, now: () => clock, deltaRetentionMs: RETENTION, deltaPageSize: 10 });
  bearer = await tokenFor(APP);
});
after(() => emu.close());

describe('GET /groups/delta', () => {
  test('the first sync returns every group with its members, paged, ending with a deltaLink', async () => {
    const { items, pages, deltaLink } = await sync('/groups/delta?$select=members');
    assert.equal(pages, 3);
    assert.equal(items.length, 25);
    assert.deepEqual(new Set(items.map((g) => g.id)).size, 25);
    const g0 = items.find((g) => g.id === G0);
    assert.deepEqual(g0?.['members@delta'], [{ '@odata.type': '#microsoft.graph.user', id: U0 }, { '@odata.type': '#microsoft.graph.user', id: U1 }]);
    assert.equal(g0?.displayName, undefined, '$select=members projects the group to its id');
    assert.match(deltaLink, /^http:\/\/127\.0\.0\.1:\d+\/v1\.0\/groups\/delta\?\$select=members&\$deltatoken=/);
  });

  test('plain (no $select) also lists members@delta next to the group properties', async () => {
    const { items } = await sync('/groups/delta');
    const g0 = items.find((g) => g.id === G0);
    assert.equal(g0?.displayName, 'Group 0');
    assert.equal(g0?.['members@delta']?.length, 2);
  });

  test('$deltatoken=latest returns nothing and a deltaLink from now; later changes come through it', async () => {
    const res = await get('/groups/delta?$select=members&$deltatoken=latest');
    const body = (await res.json()) as DeltaPage;
    assert.deepEqual(body.value, []);
    assert.equal(body['@odata.nextLink'], undefined);
    const link = body['@odata.deltaLink'];
    assert.ok(link);
    const quiet = await sync(link);
    assert.deepEqual(quiet.items, [], 'no change since the token: no groups');

    emu.directory.removeMember(G0, U1);
    emu.directory.addMember(G1, U2);
    emu.directory.addMember(G1, U1);
    emu.directory.removeMember(G1, U1); // added and removed again: the net effect is a removal
    const changed = await sync(quiet.deltaLink);
    assert.deepEqual(changed.items.map((g) => g.id).sort(), [G0, G1]);
    assert.deepEqual(changed.items.find((g) => g.id === G0)?.['members@delta'], [{ '@odata.type': '#microsoft.graph.user', id: U1, '@removed': { reason: 'deleted' } }]);
    assert.deepEqual(changed.items.find((g) => g.id === G1)?.['members@delta'], [
      { '@odata.type': '#microsoft.graph.user', id: U2 },
      { '@odata.type': '#microsoft.graph.user', id: U1, '@removed': { reason: 'deleted' } },
    ]);
    const again = await sync(changed.deltaLink);
    assert.deepEqual(again.items, [], 'the new deltaLink starts after the reported changes');
  });

  test('a token older than the retention, or unknown, is 410 syncStateNotFound', async () => {
    const { deltaLink } = await sync('/groups/delta?$select=members&$deltatoken=latest');
    clock += RETENTION + 1;
    for (const url of [deltaLink, '/groups/delta?$select=members&$deltatoken=bm90LWEtdG9rZW4']) {
      const res = await get(url);
      assert.equal(res.status, 410);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'syncStateNotFound');
    }
  });

  test('needs a group read role and rejects $top', async () => {
    const denied = await get('/groups/delta?$select=members', await tokenFor(NOROLES));
    assert.equal(denied.status, 403);
    const top = await get('/groups/delta?$top=5');
    assert.equal(top.status, 400);
  });
});
