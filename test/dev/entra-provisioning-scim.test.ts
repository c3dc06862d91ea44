// End to end: the emulator's provisioning client against Moatless's real SCIM endpoint
// (`moatless serve` with the directory wiring, SQLite), read back through SCIM GET.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { directoryWiring } from '../../src/cli/directory-wiring.ts';
import { createScimToken } from '../../src/directory/scim-tokens.ts';
import { startStack } from '../harness/stack.ts';
import { createProvisioningClient, type Dialect } from '../../src/dev/entra/provisioning/index.ts';
import { loopbackFetch } from '../../src/dev/entra/provisioning/testing/loopback-fetch.ts';

async function boot(dialect: Dialect) {
  const stack = await startStack({ compose: directoryWiring() });
  const { token } = await createScimToken(stack.moatless.store, { name: 'entra-provisioning', directoryName: 'entra', now: Date.now() });
  const fetch = loopbackFetch(stack.port);
  const base = `${stack.authUrl}/scim/v2`;
  const client = createProvisioningClient({ directory: stack.emulator.directory, scimBaseUrl: base, token, dialect, fetch });
  const get = async (path: string): Promise<Record<string, unknown>> => {
    const res = await fetch(`${base}${path}`, { method: 'GET', headers: { authorization: `Bearer ${token}`, accept: 'application/scim+json' } });
    assert.equal(res.status, 200, `GET ${path}`);
    return await res.json() as Record<string, unknown>;
  };
  const user = async (upn: string) => ((await get(`/Users?filter=${encodeURIComponent(`userName eq "${upn}"`)}`))['Resources'] as Record<string, unknown>[])[0];
  const members = async (group: string): Promise<string[]> => {
    const [g] = (await get(`/Groups?filter=${encodeURIComponent(`displayName eq "${group}"`)}`))['Resources'] as { members?: { value: string }[] }[];
    const names = await Promise.all((g?.members ?? []).map(async (m) => (await get(`/Users/${m.value}`))['userName'] as string));
    return names.sort();
  };
  return { stack, client, token, user, members, [Symbol.asyncDispose]: async () => { await client.stop(); await stack.close(); } };
}

for (const dialect of ['entra-legacy', 'aadOptscim062020'] as const) {
  describe(`Moatless SCIM endpoint, dialect ${dialect}`, () => {
    test('initial cycle, then disable and remove a member in the emulator → Moatless follows', async () => {
      await using s = await boot(dialect);
      const initial = await s.client.runInitialCycle();
      assert.deepEqual([initial.created, initial.groupsCreated, initial.errors], [5, 10, 0], JSON.stringify(s.client.log.entries().filter((e) => e.result === 'failure')));
      assert.deepEqual(await s.members('Staff'), ['alice@contoso.com', 'bob@contoso.com', 'carol@contoso.com', 'dave@contoso.com']);
      assert.deepEqual(await s.members('Finance'), ['alice@contoso.com']);
      assert.equal((await s.user('alice@contoso.com'))?.['active'], true);
      assert.equal((await s.user('dave@contoso.com'))?.['active'], false);

      s.stack.emulator.directory.setAccountEnabled('bob@contoso.com', false);
      s.stack.emulator.directory.removeMember('Staff', 'carol@contoso.com');
      const next = await s.client.runIncrementalCycle();
      assert.deepEqual([next.disabled, next.membersRemoved, next.errors], [1, 1, 0], JSON.stringify(s.client.log.entries().filter((e) => e.result === 'failure')));
      assert.equal((await s.user('bob@contoso.com'))?.['active'], false);
      assert.deepEqual(await s.members('Staff'), ['alice@contoso.com', 'bob@contoso.com', 'dave@contoso.com']);

      // A second client with no memory (Entra after "restart provisioning") matches instead of duplicating.
      const fresh = (token: string) => createProvisioningClient({ directory: s.stack.emulator.directory, scimBaseUrl: `${s.stack.authUrl}/scim/v2`, token, dialect, fetch: loopbackFetch(s.stack.port) });
      const rematch = await fresh(s.token).runInitialCycle();
      assert.deepEqual([rematch.created, rematch.groupsCreated, rematch.updated, rematch.errors], [0, 0, 0, 0]);
      const refused = fresh('mlscim_wrong');
      assert.equal((await refused.runInitialCycle()).errors, 15);
      assert.ok(refused.log.entries().every((e) => e.status === 401), 'a wrong token is refused on every request');
    });
  });
}
