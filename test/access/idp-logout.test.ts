// Logout from the IdP side. Back-channel: alice signs in through the real oidc-provider emulator,
// signs out *at the emulator*, which posts a logout_token to Moatless; her Moatless sessions end.
// Then forged logout_tokens (signed with the emulator's own key or another) probe every check:
// wrong aud, wrong iss, replayed jti, missing events, a nonce, neither sid nor sub, a foreign key.
// Front-channel: Entra's GET with sid ends the sign-in and is frameable only by the IdP.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair, SignJWT } from 'jose';
import { request } from 'node:http';
import { randomUUID } from 'node:crypto';
import { TestBrowser as IdpBrowser, type Page } from '../../src/dev/entra/testing/browser.ts';
import { startEntraEmulator, type EntraEmulator } from '../../src/dev/entra/index.ts';
import { freePort } from '../harness/ports.ts';
import { CLIENT_ID, FIXTURE, signInAtIdp, startStack, type Stack } from '../harness/stack.ts';
import type { TestBrowser } from '../harness/http-client.ts';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** The emulator's outgoing requests (the logout_token POST), sent to Moatless on loopback with the real Host. */
function loopbackFetch(port: number, seen: string[]) {
  return (url: string | URL, init: RequestInit): Promise<Response> => new Promise((resolve, reject) => {
    const u = new URL(url);
    const body = String(init.body ?? '');
    seen.push(body);
    const headers: Record<string, string> = { host: u.host };
    new Headers(init.headers).forEach((v, k) => { if (k !== 'host') headers[k] = v; });
    const req = request({ host: '127.0.0.1', port, method: init.method ?? 'GET', path: u.pathname + u.search, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(new Response(res.statusCode === 204 ? null : Buffer.concat(chunks), { status: res.statusCode ?? 0 })));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('IdP-initiated logout', () => {
  let s: Stack;
  let emulator: EntraEmulator;
  const sent: string[] = [];

  before(async () => {
    const port = await freePort();
    const authUrl = `http://auth.localtest.me:${port}`;
    emulator = await startEntraEmulator({
      fixturePath: FIXTURE, port: 0, extraRedirectUris: [`${authUrl}/oauth2/callback`],
      backchannelLogoutUri: `${authUrl}/oauth2/backchannel-logout/entra`, outboundFetch: loopbackFetch(port, sent),
    });
    s = await startStack({ port, emulator });
  });
  after(async () => {
    await s.close();
    await emulator.close();
  });

  /** A full sign-in to the wiki through the emulator; returns both browsers (Moatless's and the IdP's). */
  async function signIn(user: string): Promise<{ b: TestBrowser; idp: IdpBrowser }> {
    const b = s.browser();
    const { callback, idp } = await signInAtIdp(s, b, user);
    const landed = await b.follow(callback.href);
    assert.equal(landed.status, 200, 'signed in to the wiki');
    return { b, idp };
  }

  async function liveSignIns(email: string) {
    return (await s.moatless.store.sessions.listActive({ email, limit: 50, offset: 0 }, Date.now())).items.filter((x) => x.kind === 'global');
  }

  async function post(token: string | null, extra: Record<string, string> = {}) {
    const body = new URLSearchParams(token === null ? {} : { logout_token: token }).toString();
    const r = await s.browser().get(`${s.authUrl}/oauth2/backchannel-logout/entra`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...extra } });
    return { status: r.status, json: r.body ? JSON.parse(r.body) as { error?: string; error_description?: string } : {}, headers: r.headers };
  }

  /** A logout_token as the emulator would sign it; `claims` override or (undefined) remove fields. */
  function forge(claims: Record<string, unknown>, opts: { key?: Awaited<ReturnType<typeof generateKeyPair>>['privateKey']; kid?: string; typ?: string; iat?: number } = {}): Promise<string> {
    const iat = opts.iat ?? Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = { iss: emulator.issuer, aud: CLIENT_ID, iat, exp: iat + 120, jti: randomUUID(), events: { [EVENT]: {} }, ...claims };
    for (const k of Object.keys(payload)) if (payload[k] === undefined) delete payload[k];
    return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? emulator.signingKey.kid, typ: opts.typ ?? 'logout+jwt' })
      .sign(opts.key ?? emulator.signingKey.privateKey);
  }

  test('signing out at the IdP posts a logout_token that ends the Moatless sign-in and its app sessions', async () => {
    const { b, idp } = await signIn('alice@contoso.com');
    const [mine] = await liveSignIns('alice@contoso.com');
    assert.ok(mine?.idpSid, 'the sign-in remembers the ID token\'s sid');
    assert.ok(mine.idpSub, 'and its sub');
    const confirm = await idp.open(`${emulator.url}/${emulator.tenantId}/oauth2/v2.0/logout`);
    assert.equal(confirm.kind, 'page');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec((confirm as Extract<Page, { kind: 'page' }>).html)?.[1];
    assert.ok(xsrf, 'the emulator asks to confirm the sign-out');
    sent.length = 0;
    await idp.submit(confirm, '/logout/confirm', { xsrf, logout: 'yes' });
    assert.equal(sent.length, 1, 'the emulator sent one back-channel logout request');
    assert.equal((await s.moatless.store.sessions.get(mine.id))?.revokedReason, 'idp back-channel logout');
    const after = await b.get(`${s.wikiUrl}/`);
    assert.equal(after.status, 302, 'the wiki asks for a new sign-in');
    assert.match(String(after.headers.location), /\/oauth2\/start/);

    // The very token the IdP sent, posted again, is a replay.
    const replayed = await s.browser().get(`${s.authUrl}/oauth2/backchannel-logout/entra`, { method: 'POST', body: sent[0]!, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(replayed.status, 400);
    assert.match(replayed.body, /already used/);
  });

  test('a logout_token naming only sub ends every sign-in of that user at this IdP', async () => {
    await signIn('bob@contoso.com');
    await signIn('bob@contoso.com');
    const mine = await liveSignIns('bob@contoso.com');
    assert.equal(mine.length, 2);
    const r = await post(await forge({ sub: mine[0]!.idpSub }));
    assert.equal(r.status, 200);
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.equal((await liveSignIns('bob@contoso.com')).length, 0);
  });

  test('forged or malformed logout_tokens are refused with 400 and end nothing', async () => {
    await signIn('alice@contoso.com');
    const [mine] = await liveSignIns('alice@contoso.com');
    assert.ok(mine?.idpSid);
    const sid = mine.idpSid;
    const other = await generateKeyPair('RS256');
    const cases: Array<[string, Promise<string>, RegExp]> = [
      ['wrong aud', forge({ sid, aud: 'someone-else' }), /aud/],
      ['wrong iss', forge({ sid, iss: 'https://evil.example/v2.0' }), /iss/],
      ['no events', forge({ sid, events: undefined }), /events/],
      ['events without the logout event', forge({ sid, events: { 'http://example.com/other': {} } }), /back-channel logout event/],
      ['a nonce', forge({ sid, nonce: 'n' }), /nonce/],
      ['neither sid nor sub', forge({}), /neither sid nor sub/],
      ['signed by another key', forge({ sid }, { key: other.privateKey }), /invalid/],
      ['another key under the IdP\'s kid', forge({ sid }, { key: other.privateKey, kid: 'not-a-kid' }), /invalid/],
      ['an ID token typ', forge({ sid }, { typ: 'at+jwt' }), /typ/],
      ['issued long ago', forge({ sid }, { iat: Math.floor(Date.now() / 1000) - 3600 }), /invalid/],
    ];
    for (const [name, token, why] of cases) {
      const r = await post(await token);
      assert.equal(r.status, 400, name);
      assert.equal(r.json.error, 'invalid_request', name);
      assert.match(r.json.error_description ?? '', why, name);
    }
    assert.equal((await post(null)).status, 400, 'no logout_token');
    assert.equal((await post('not.a.jwt')).status, 400, 'garbage');
    assert.equal((await s.browser().get(`${s.authUrl}/oauth2/backchannel-logout/entra`)).status, 405, 'GET');
    assert.equal((await s.browser().get(`${s.authUrl}/oauth2/backchannel-logout/nope`, { method: 'POST', body: 'logout_token=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status, 404, 'unknown IdP');
    assert.equal((await liveSignIns('alice@contoso.com')).length, 1, 'still signed in');

    const good = await forge({ sid });
    assert.equal((await post(good)).status, 200, 'the same sid in a valid token works');
    assert.equal((await liveSignIns('alice@contoso.com')).length, 0);
    assert.equal((await post(good)).status, 400, 'and only once');
  });

  test('front-channel logout (Entra\'s GET with sid) ends the sign-in and may be framed only by the IdP', async () => {
    const { b } = await signIn('alice@contoso.com');
    const [mine] = await liveSignIns('alice@contoso.com');
    assert.ok(mine?.idpSid);
    const wrongIss = await s.browser().get(`${s.authUrl}/oauth2/frontchannel-logout/entra?sid=${encodeURIComponent(mine.idpSid)}&iss=${encodeURIComponent('https://evil.example/')}`);
    assert.equal(wrongIss.status, 400);
    assert.equal((await liveSignIns('alice@contoso.com')).length, 1, 'a wrong iss ends nothing');
    const unknown = await s.browser().get(`${s.authUrl}/oauth2/frontchannel-logout/entra?sid=not-a-sid`);
    assert.equal(unknown.status, 200);
    assert.equal((await liveSignIns('alice@contoso.com')).length, 1, 'an unknown sid ends nothing');

    const r = await s.browser().get(`${s.authUrl}/oauth2/frontchannel-logout/entra?sid=${encodeURIComponent(mine.idpSid)}&iss=${encodeURIComponent(emulator.issuer)}`);
    assert.equal(r.status, 200);
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.equal(r.headers['x-frame-options'], undefined, 'frameable');
    assert.match(String(r.headers['content-security-policy']), new RegExp(`frame-ancestors ${emulator.url.replace(/[.]/g, '\\.')}$`));
    assert.equal((await liveSignIns('alice@contoso.com')).length, 0);
    assert.equal((await b.get(`${s.wikiUrl}/`)).status, 302, 'the wiki asks for a new sign-in');
  });

  test('front-channel logout without sid ends the browser\'s own sign-in, but only when opened as a page', async () => {
    const { b } = await signIn('bob@contoso.com');
    const img = await b.get(`${s.authUrl}/oauth2/frontchannel-logout/entra`, { headers: { 'sec-fetch-dest': 'image', 'sec-fetch-site': 'cross-site' } });
    assert.equal(img.status, 200);
    assert.equal(img.headers['set-cookie'], undefined);
    assert.equal((await liveSignIns('bob@contoso.com')).length, 1, 'an <img> signs nobody out');
    const page = await b.get(`${s.authUrl}/oauth2/frontchannel-logout/entra`, { headers: { 'sec-fetch-dest': 'document' } });
    assert.equal(page.status, 200);
    assert.match(String(page.headers['set-cookie']), /moatless_auth=;/);
    assert.equal((await liveSignIns('bob@contoso.com')).length, 0);
  });
});
