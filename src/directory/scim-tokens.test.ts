import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openKit, type Kit } from './testing.ts';
import { createScimToken, hashToken, verifyBearer } from './scim-tokens.ts';

describe('SCIM tokens', () => {
  let k: Kit;
  before(async () => { k = await openKit(); });
  after(async () => { await k.close(); });

  test('a token is mlscim_ + 32 random bytes base64url; only its SHA-256 is stored', async () => {
    const { token, record, directory } = await createScimToken(k.store, { name: 'entra', directoryName: 'Corp', now: 1 });
    assert.match(token, /^mlscim_[A-Za-z0-9_-]{43}$/);
    assert.equal(record.hash, hashToken(token));
    assert.equal(directory.name, 'Corp');
    const [stored] = await k.store.directory.tokens.list(directory.id);
    assert.equal(stored!.hash, hashToken(token));
    assert.ok(!JSON.stringify(stored).includes(token.slice(7)));
  });

  test('the directory is created once and reused, case-insensitively', async () => {
    const a = await createScimToken(k.store, { name: 'a', directoryName: 'Reuse', now: 1 });
    const b = await createScimToken(k.store, { name: 'b', directoryName: 'reuse', now: 2 });
    assert.equal(a.directory.id, b.directory.id);
  });

  test('verifyBearer admits the live token, records its use, and refuses revoked or altered ones', async () => {
    const { token, record } = await createScimToken(k.store, { name: 'v', directoryName: 'V', now: 1 });
    const ok = await verifyBearer(k.store, `Bearer ${token}`, 5_000);
    assert.equal(ok?.id, record.id);
    assert.equal((await k.store.directory.tokens.findByHash(record.hash))?.lastUsedAt, 5_000);
    assert.equal(await verifyBearer(k.store, `Bearer ${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`, 5_000), null);
    assert.equal(await verifyBearer(k.store, token, 5_000), null);
    await k.store.directory.tokens.revoke(record.id, 6_000);
    assert.equal(await verifyBearer(k.store, `Bearer ${token}`, 7_000), null);
  });
});
