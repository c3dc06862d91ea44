import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { openStore } from '../store/open-store.ts';
import { signAssertion } from './assertion.ts';
import { SigningKeys } from './signing-keys.ts';

const DAY = 86_400_000;

test('keys rotate on schedule; the previous key stays published for the overlap, then disappears', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moatless-keys-'));
  const store = await openStore({ kind: 'sqlite', path: join(dir, 'k.db') });
  let now = Date.UTC(2026, 0, 1);
  const keys = new SigningKeys(store.keys, { now: () => now, rotateEveryMs: 42 * DAY, overlapMs: 7 * DAY });
  try {
    await keys.refresh();
    const first = keys.active.kid;
    const token = signAssertion({ iss: 'https://auth', aud: ['app'], sub: 's', email: 'e', idp: 'i', type: 'app', iat: now / 1000, nbf: now / 1000, exp: now / 1000 + 600, identity_nonce: 'n' }, keys.active);
    assert.deepEqual(keys.jwks.keys.map((k) => k.kid), [first]);

    now += 43 * DAY;
    await keys.refresh();
    assert.notEqual(keys.active.kid, first, 'a new key signs after rotateEvery');
    assert.deepEqual(new Set(keys.jwks.keys.map((k) => k.kid)), new Set([first, keys.active.kid]), 'both published during the overlap');
    // An origin holding the JWKS still verifies what the old key signed.
    await jwtVerify(token, createLocalJWKSet(keys.jwks), { currentDate: new Date((now - 43 * DAY) + 1000) });

    now += 7 * DAY;
    await keys.refresh();
    assert.deepEqual(keys.jwks.keys.map((k) => k.kid), [keys.active.kid], 'the old key is gone after the overlap');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('two replicas sharing a store sign with keys both publish', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moatless-keys-'));
  const store = await openStore({ kind: 'sqlite', path: join(dir, 'k.db') });
  const a = new SigningKeys(store.keys, { now: Date.now, rotateEveryMs: 42 * DAY, overlapMs: 7 * DAY });
  const b = new SigningKeys(store.keys, { now: Date.now, rotateEveryMs: 42 * DAY, overlapMs: 7 * DAY });
  try {
    await a.refresh();
    await b.refresh();
    assert.equal(a.active.kid, b.active.kid, 'the second replica adopts the stored key instead of making its own');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
