// Regression: concurrent SCIM writes without If-Match never fail for concurrency. Entra runs several
// workers and never sends If-Match, so a version clash between two writers is the server's to
// resolve (retry from a fresh read, last writer wins); 412 is only for a stale If-Match. On both
// backends through the real server, and across two servers sharing one PostgreSQL database.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { directoryWiring } from '../../src/cli/directory-wiring.ts';
import { freshSchema } from '../harness/postgres.ts';
import { GROUP_SCHEMA, onEachBackend, PATCH_OP, scimCaller, scimClient, USER_SCHEMA, type ScimCall } from '../harness/scim-client.ts';
import { startStack, type Stack } from '../harness/stack.ts';

const WRITERS = 20;
const rename = (name: string) => ({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: name }] });

function concurrencySuite(scims: () => ScimCall[]): void {
  // Writer i goes through server i % n: one server, or two replicas racing on one database.
  const via = (i: number): ScimCall => scims()[i % scims().length]!;

  test(`${WRITERS} concurrent PATCHes of one user's displayName: all 204, one of them wins`, async () => {
    const u = await via(0)('POST', '/Users', { schemas: [USER_SCHEMA], userName: `patch-${Date.now()}@contoso.com` });
    const id = String(u.json['id']);
    const names = Array.from({ length: WRITERS }, (_, i) => `Name ${i}`);
    const results = await Promise.all(names.map((n, i) => via(i)('PATCH', `/Users/${id}`, rename(n))));
    assert.deepEqual(results.map((r) => r.status), Array(WRITERS).fill(204));
    const final = await via(0)('GET', `/Users/${id}`);
    assert.ok(names.includes(String(final.json['displayName'])), `stored ${String(final.json['displayName'])}`);
    assert.equal((final.json['meta'] as { version: string }).version, `W/"${WRITERS + 1}"`, 'every write applied once');
  });

  test(`${WRITERS} concurrent PUTs of one user: all 200, one of them wins`, async () => {
    const userName = `put-${Date.now()}@contoso.com`;
    const u = await via(0)('POST', '/Users', { schemas: [USER_SCHEMA], userName });
    const id = String(u.json['id']);
    const titles = Array.from({ length: WRITERS }, (_, i) => `Title ${i}`);
    const results = await Promise.all(titles.map((t, i) => via(i)('PUT', `/Users/${id}`, { schemas: [USER_SCHEMA], userName, title: t })));
    assert.deepEqual(results.map((r) => r.status), Array(WRITERS).fill(200));
    const final = await via(0)('GET', `/Users/${id}`);
    assert.ok(titles.includes(String(final.json['title'])));
  });

  test(`${WRITERS} concurrent renames of one group: all 204, one of them wins`, async () => {
    const g = await via(0)('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: `Team ${Date.now()}` });
    const id = String(g.json['id']);
    const names = Array.from({ length: WRITERS }, (_, i) => `Team ${id} ${i}`);
    const results = await Promise.all(names.map((n, i) => via(i)('PATCH', `/Groups/${id}`, rename(n))));
    assert.deepEqual(results.map((r) => r.status), Array(WRITERS).fill(204));
    const final = await via(0)('GET', `/Groups/${id}`);
    assert.ok(names.includes(String(final.json['displayName'])));
  });

  test('a stale If-Match still gets 412 and changes nothing', async () => {
    const u = await via(0)('POST', '/Users', { schemas: [USER_SCHEMA], userName: `stale-${Date.now()}@contoso.com` });
    const id = String(u.json['id']);
    const etag = String(u.headers['etag']);
    assert.equal((await via(0)('PATCH', `/Users/${id}`, rename('first'), { 'if-match': etag })).status, 204);
    const stale = await via(1)('PATCH', `/Users/${id}`, rename('second'), { 'if-match': etag });
    assert.equal(stale.status, 412);
    assert.equal((await via(0)('GET', `/Users/${id}`)).json['displayName'], 'first');
  });
}

onEachBackend('concurrent SCIM writes, one server', (scim) => concurrencySuite(() => [scim()]));

describe('concurrent SCIM writes on PostgreSQL, two replicas', () => {
  const stacks: Stack[] = [];
  const scims: ScimCall[] = [];
  let pg: Awaited<ReturnType<typeof freshSchema>>;
  before(async () => {
    pg = await freshSchema();
    for (let i = 0; i < 2; i++) stacks.push(await startStack({ compose: directoryWiring(), storage: { kind: 'postgres', url: pg.url, schema: pg.schema } }));
    const { token } = await scimClient(stacks[0]!, 'contoso');
    for (const s of stacks) scims.push(scimCaller(s, token));
  });
  after(async () => {
    for (const s of stacks) await s.close();
    await pg?.drop();
  });
  concurrencySuite(() => scims);
});
