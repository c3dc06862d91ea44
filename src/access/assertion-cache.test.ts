// The identity headers a session's requests carry are built once per session record and app (issue
// 17), and never outlive what they vouch with: a rotated signing key, an assertion near expiry and a
// reloaded app config each rebuild them. Real keys in a real store; the context is the two parts
// the cache reads (the clock and the keys).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader, decodeJwt } from 'jose';
import { openStore } from '../store/open-store.ts';
import type { Identity } from '../identity/identity.ts';
import type { SessionRecord } from '../store/ports.ts';
import { AssertionCache } from './assertion-cache.ts';
import type { AccessContext } from './context.ts';
import type { AccessRuntime, CompiledApp } from './runtime.ts';
import { SigningKeys } from './signing-keys.ts';

const DAY = 86_400_000;

test('a session\'s identity headers are reused, and rebuilt on key rotation, assertion renewal and an app reload', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moatless-assertions-'));
  const store = await openStore({ kind: 'sqlite', path: join(dir, 'k.db') });
  let now = Date.UTC(2026, 0, 1);
  const keys = new SigningKeys(store.keys, { now: () => now, rotateEveryMs: 42 * DAY, overlapMs: 7 * DAY });
  try {
    await keys.refresh();
    const cache = new AssertionCache({ now: () => now, keys } as unknown as AccessContext);
    const rt = { authOrigin: 'https://auth.example' } as AccessRuntime;
    const appOf = () => ({ id: 'wiki', audience: 'aud-wiki', config: { assertion: { header: 'moatless-assertion', includeGroups: false, claims: [] } } }) as unknown as CompiledApp;
    let app = appOf();
    const identity = { userKey: 't:alice', email: 'alice@contoso.com', idp: 'entra', groupNames: ['Staff'], claims: {} } as unknown as Identity;
    const session = { id: 's1', expiresAt: now + DAY } as SessionRecord;
    let builds = 0;
    const build = (_app: CompiledApp, id: Identity, jwt: string) => {
      builds++;
      return ['moatless-assertion', jwt, 'x-email', id.email];
    };
    const headers = () => cache.sessionHeaders(rt, app, session, identity, build);

    const first = headers();
    assert.equal(headers(), first, 'the next request reuses the same list');
    assert.equal(builds, 1);
    assert.equal(decodeJwt(first[1]!).sub, 't:alice');

    now += 9.5 * 60_000; // within a minute of the 10-minute assertion's expiry: renewed
    const renewed = headers();
    assert.equal(builds, 2);
    assert.ok(decodeJwt(renewed[1]!).exp! > decodeJwt(first[1]!).exp!, 'a later expiry');

    now += 43 * DAY;
    session.expiresAt = now + DAY;
    await keys.refresh(); // rotated: the old key must no longer sign what the origin receives
    const rotated = headers();
    assert.equal(decodeProtectedHeader(rotated[1]!).kid, keys.active.kid);
    assert.notEqual(decodeProtectedHeader(rotated[1]!).kid, decodeProtectedHeader(first[1]!).kid);

    const before = builds;
    app = appOf(); // a config reload compiles a new app object: its header settings may differ
    headers();
    assert.equal(builds, before + 1);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
