// A session whose stored identity does not validate is no session: the proxy sends the user to sign
// in again instead of vouching for whatever the row holds.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { newSessionSecret, sessionIdOf } from '../../src/identity/session-tokens.ts';
import { startStack, TENANT, type Stack } from '../harness/stack.ts';

let s: Stack;
before(async () => { s = await startStack(); });
after(async () => { await s.close(); });

test('an app session whose identity lacks a field is treated as absent: sign in again, nothing reaches the origin', async () => {
  const email = 'alice@contoso.com';
  // Would pass the wiki's Staff policy if believed; `acrs` is missing, as from a damaged row.
  const userKey = `${TENANT}:${email}`;
  const damaged = { userKey, email, idp: 'entra', groups: [], groupNames: ['Staff'], amr: ['pwd'], claims: {} };
  const g = newSessionSecret();
  const a = newSessionSecret();
  const now = Date.now();
  const row = {
    userKey, email, idp: 'entra', identity: damaged, createdAt: now, expiresAt: now + 3_600_000, lastSeenAt: now,
    ip: null, userAgent: null, revokedAt: null, revokedReason: null,
  };
  await s.moatless.store.sessions.create({ ...row, id: sessionIdOf(g), kind: 'global', parentId: null, appId: null });
  await s.moatless.store.sessions.create({ ...row, id: sessionIdOf(a), kind: 'app', parentId: sessionIdOf(g), appId: 'wiki' });
  const b = s.browser();
  b.jar.set('wiki.localtest.me', new Map([['moatless_session', a]]));
  const r = await b.get(`${s.wikiUrl}/damaged`);
  assert.equal(r.status, 302);
  assert.equal(new URL(String(r.headers.location)).pathname, '/oauth2/start');
  assert.equal(s.wiki.seen.length, 0);
  const id = await b.get(`${s.wikiUrl}/.moatless/identity`);
  assert.equal(id.status, 401);
});
