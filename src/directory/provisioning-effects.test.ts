import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openKit, patch, userBody, type Kit } from './testing.ts';
import { setDirectorySettings } from './directory-settings.ts';
import { DIRECTORY_CHANGED_TOPIC } from './provisioning-effects.ts';

describe('deprovisioning revokes sessions before the SCIM response', () => {
  let k: Kit;
  before(async () => { k = await openKit(); });
  after(async () => { await k.close(); });

  const provisioned = async (email: string): Promise<{ id: string; secret: string }> => {
    const r = await k.call('POST', '/Users', userBody(email));
    assert.equal(r.status, 201);
    const secret = await k.signIn(email);
    // Warm the session cache, as a live request would: revocation must clear it, not wait for a TTL.
    assert.ok(await k.sessions.resolve(secret, { kind: 'global' }));
    return { id: r.json['id'] as string, secret };
  };
  const dead = async (secret: string) => assert.equal(await k.sessions.resolve(secret, { kind: 'global' }), null);
  const alive = async (secret: string) => assert.ok(await k.sessions.resolve(secret, { kind: 'global' }));

  let n = 0;
  for (const [name, body] of [
    ['Entra default: Replace active "False"', patch({ op: 'Replace', path: 'active', value: 'False' })],
    ['aadOptscim062020: replace active false', patch({ op: 'replace', path: 'active', value: false })],
    ['Okta: path-less replace {active:false}', patch({ op: 'replace', value: { active: false } })],
  ] as const) {
    test(`${name} → 204 and the session is refused right after`, async () => {
      const u = await provisioned(`dialect-${++n}@contoso.com`);
      const r = await k.call('PATCH', `/Users/${u.id}`, body);
      assert.equal(r.status, 204);
      await dead(u.secret);
      const g = await k.call('GET', `/Users/${u.id}`);
      assert.equal(g.json['active'], false, 'soft-deleted users stay readable');
      const again = await k.call('PATCH', `/Users/${u.id}`, body);
      assert.equal(again.status, 204, 'idempotent');
    });
  }

  test('PUT with active false revokes', async () => {
    const u = await provisioned('put-off@contoso.com');
    const r = await k.call('PUT', `/Users/${u.id}`, userBody('put-off@contoso.com', { active: false }));
    assert.equal(r.status, 200);
    await dead(u.secret);
  });

  test('DELETE revokes', async () => {
    const u = await provisioned('deleted@contoso.com');
    assert.equal((await k.call('DELETE', `/Users/${u.id}`)).status, 204);
    await dead(u.secret);
  });

  test('sessions under the primary email are revoked too when userName differs', async () => {
    const r = await k.call('POST', '/Users', userBody('upn-only@contoso.onmicrosoft.com', { emails: [{ primary: true, type: 'work', value: 'Mail@Contoso.com' }] }));
    const secret = await k.signIn('mail@contoso.com');
    await k.call('PATCH', `/Users/${String(r.json['id'])}`, patch({ op: 'replace', path: 'active', value: false }));
    await dead(secret);
  });

  test('an unrelated change keeps the session alive', async () => {
    const u = await provisioned('stays@contoso.com');
    assert.equal((await k.call('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'displayName', value: 'S' }))).status, 204);
    await alive(u.secret);
  });

  test('a failed deactivation (bad second op) revokes nothing', async () => {
    const u = await provisioned('atomic@contoso.com');
    const r = await k.call('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'active', value: false }, { op: 'remove' }));
    assert.equal(r.status, 400);
    await alive(u.secret);
  });

  test('every write announces directory.changed with the affected emails', async () => {
    const seen: unknown[] = [];
    const off = k.store.changes.subscribe(DIRECTORY_CHANGED_TOPIC, (p) => seen.push(p));
    await k.call('POST', '/Users', userBody('Announce@Contoso.com'));
    off();
    assert.deepEqual(seen, [{ directoryId: k.directoryId, emails: ['announce@contoso.com'] }]);
  });

  test('deprovisionOnNoGroups: losing the last group revokes only when the setting is on', async () => {
    const u = await provisioned('lastgroup@contoso.com');
    const g = await k.call('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Only' });
    const gid = g.json['id'] as string;
    const add = patch({ op: 'Add', path: 'members', value: [{ value: u.id }] });
    const remove = patch({ op: 'Remove', path: 'members', value: [{ value: u.id }] });
    await k.call('PATCH', `/Groups/${gid}`, add);
    assert.equal((await k.call('PATCH', `/Groups/${gid}`, remove)).status, 204);
    await alive(u.secret); // default off
    await setDirectorySettings(k.store.kv, k.directoryId, { deprovisionOnNoGroups: true });
    await k.call('PATCH', `/Groups/${gid}`, add);
    assert.equal((await k.call('PATCH', `/Groups/${gid}`, remove)).status, 204);
    await dead(u.secret);
    await setDirectorySettings(k.store.kv, k.directoryId, { deprovisionOnNoGroups: false });
  });
});
