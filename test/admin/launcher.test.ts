// Scenario: a signed-in user opens https://<auth host>/ and sees the apps their policies let them
// open, who they are, and their own sessions with a revoke button (POST, CSRF-protected).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../harness/stack.ts';
import { csrfToken } from '../../src/admin/launcher/launcher-mount.ts';
import { sessionIdOf } from '../../src/identity/session-tokens.ts';
import { browserAs, globalSessionFor } from './helpers.ts';

describe('app launcher', () => {
  let s: Stack;
  before(async () => { s = await startStack(); });
  after(async () => { await s.close(); });

  const sessionIds = (html: string) => [...html.matchAll(/name="session" value="([0-9a-f]{64})"/g)].map((m) => m[1]!);

  test('lists only the apps the policies allow, the identity, and the user\'s own sessions, under a strict CSP', async () => {
    const staff = browserAs(s, await globalSessionFor(s, 'bob@contoso.com', ['Staff']));
    await globalSessionFor(s, 'bob@contoso.com', ['Staff']);
    await globalSessionFor(s, 'eve@contoso.com', ['Staff']);
    const r = await staff.get(`${s.authUrl}/`);
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-security-policy']), /default-src 'none'/);
    assert.doesNotMatch(String(r.headers['content-security-policy']), /script-src/);
    assert.match(r.body, /href="http:\/\/wiki\.localtest\.me:\d+\/">Wiki<\/a>/);
    assert.match(r.body, />Payroll<\/a> <small>\(asks for an extra sign-in step\)/, 'payroll needs c1: listed with a step-up note');
    assert.match(r.body, /Signed in as bob@contoso\.com/);
    assert.equal(sessionIds(r.body).length, 2, 'both of bob\'s sign-ins, none of eve\'s');

    const outsider = browserAs(s, await globalSessionFor(s, 'mallory@contoso.com', ['Contractors']));
    const page = await outsider.get(`${s.authUrl}/`);
    assert.match(page.body, /No application is open to you/);
    assert.doesNotMatch(page.body, /Wiki<\/a>/);
  });

  test('not signed in: the same short page as before', async () => {
    const r = await s.browser().get(`${s.authUrl}/`);
    assert.equal(r.status, 200);
    assert.match(r.body, /Not signed in/);
  });

  test('revoke button: own session ends; wrong Origin, missing token or someone else\'s session are refused', async () => {
    const secret = await globalSessionFor(s, 'carol@contoso.com', ['Staff']);
    const other = await globalSessionFor(s, 'carol@contoso.com', ['Staff']);
    const b = browserAs(s, secret);
    const before = sessionIds((await b.get(`${s.authUrl}/`)).body);
    assert.equal(before.length, 2);
    const otherId = sessionIdOf(other);
    assert.ok(before.includes(otherId));
    const eveSecret = await globalSessionFor(s, 'eve2@contoso.com', ['Staff']);
    const eveId = sessionIds((await browserAs(s, eveSecret).get(`${s.authUrl}/`)).body)[0]!;
    const post = (session: string, headers: Record<string, string>, csrf = csrfToken(secret)) => b.get(`${s.authUrl}/me/sessions/revoke`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams({ session, csrf }).toString(),
    });
    assert.equal((await post(otherId, { origin: 'https://evil.example' })).status, 403);
    assert.equal((await post(otherId, {})).status, 403, 'no Origin');
    assert.equal((await post(otherId, { origin: s.authUrl }, 'forged')).status, 403);
    assert.equal((await post(eveId, { origin: s.authUrl })).status, 404, 'another user\'s session');
    assert.equal((await browserAs(s, eveSecret).get(`${s.authUrl}/`)).status, 200);
    assert.ok(sessionIds((await browserAs(s, eveSecret).get(`${s.authUrl}/`)).body).includes(eveId), 'eve\'s session lives on');
    const ok = await post(otherId, { origin: s.authUrl });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.location, '/');
    assert.equal(sessionIds((await b.get(`${s.authUrl}/`)).body).length, 1);
    assert.equal(await s.moatless.sessions.resolveById(otherId), null);
  });
});
