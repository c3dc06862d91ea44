// A session's stored identity is validated when the row is read: a row whose identity JSON is not an
// identity (another version's, hand-edited, damaged) counts as no session at all.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../store/index.ts';
import { SessionService } from './sessions.ts';
import { newSessionSecret, sessionIdOf } from './session-tokens.ts';

let store: Store;
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'moatless-session-identity-'));
  store = await openStore({ kind: 'sqlite', path: join(dir, 'db.sqlite') });
});
after(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const good = {
  userKey: 't:ann', email: 'ann@contoso.com', idp: 'entra', groups: ['g1'], groupNames: ['Staff'], amr: ['pwd'], acrs: [], claims: {},
};

async function stored(identity: unknown): Promise<string> {
  const secret = newSessionSecret();
  const now = Date.now();
  await store.sessions.create({
    id: sessionIdOf(secret), kind: 'global', parentId: null, appId: null, userKey: 't:ann', email: 'ann@contoso.com', idp: 'entra',
    identity, createdAt: now, expiresAt: now + 3_600_000, lastSeenAt: now,
    ip: null, userAgent: null, revokedAt: null, revokedReason: null,
  });
  return secret;
}

test('a stored identity that validates comes back typed', async () => {
  const sessions = new SessionService({ store, now: Date.now, cacheTtlMs: 5000 });
  const s = await sessions.resolve(await stored(good), { kind: 'global' });
  assert.deepEqual(s?.identity, good);
  sessions.close();
});

for (const [what, identity] of [
  ['a missing field (acrs)', { ...good, acrs: undefined }],
  ['a string where a list belongs', { ...good, groupNames: 'Staff' }],
  ['a number for the email', { ...good, email: 42 }],
  ['no identity at all', null],
  ['claims that are not an object', { ...good, claims: 'admin' }],
] as const) {
  test(`a stored identity with ${what} means no session`, async () => {
    const sessions = new SessionService({ store, now: Date.now, cacheTtlMs: 5000 });
    const secret = await stored(identity);
    assert.equal(await sessions.resolve(secret, { kind: 'global' }), null);
    assert.equal(await sessions.resolveById(sessionIdOf(secret)), null);
    sessions.close();
  });
}
