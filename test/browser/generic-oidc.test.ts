// Any OIDC provider by discovery URL (here the emulator's standard OIDC endpoints, used as a plain
// `type: oidc` provider), with session durations taken from the deciding policy.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../harness/chromium.ts';
import { CLIENT_ID, startStack, type Stack } from '../harness/stack.ts';
import { startEntraEmulator, type EntraEmulator } from '../../src/dev/entra/index.ts';
import { FIXTURE } from '../harness/stack.ts';
import { freePort } from '../harness/ports.ts';

let s: Stack;
let emulator: EntraEmulator;
let browser: Browser;

before(async () => {
  // The stack picks its own port; the emulator must allow that callback, so reserve the port first.
  const port = await freePort();
  emulator = await startEntraEmulator({ fixturePath: FIXTURE, port: 0, extraRedirectUris: [`http://auth.localtest.me:${port}/oauth2/callback`] });
  s = await startStack({
    emulator, port,
    extra: {
      identityProviders: [{ id: 'corp', type: 'oidc', displayName: 'Corp SSO', issuer: emulator.issuer, clientId: CLIENT_ID, clientSecret: 'dev-secret-change-me' }],
    },
    apps: (wiki) => [{ id: 'wiki', hosts: ['wiki.localtest.me'], upstream: wiki, sessionDuration: '8h', policies: [{ name: 'contoso', action: 'allow', sessionDuration: '5m', include: [{ emailDomain: 'contoso.com' }] }] }],
  });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await s?.close();
  await emulator?.close();
});

test('a generic OIDC provider signs the user in; the app session lasts as long as the policy says', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const t0 = Date.now() / 1000;
  await page.goto(`${s.wikiUrl}/`);
  await page.fill('input[name=username]', 'bob@contoso.com');
  await page.fill('input[name=password]', 'bob');
  await page.click('button[type=submit]');
  await page.waitForURL(`${s.wikiUrl}/`);
  const identity = await (await page.goto(`${s.wikiUrl}/.moatless/identity`))!.json();
  assert.equal(identity.idp, 'corp');
  assert.equal(identity.email, 'bob@contoso.com');
  assert.match(identity.user_key, /\|/, 'generic OIDC users are keyed by issuer and subject');
  const cookie = (await ctx.cookies()).find((c) => c.name === 'moatless_session');
  assert.ok(cookie);
  assert.ok(Math.abs(cookie.expires - (t0 + 300)) < 30, `app cookie expires in ~5 minutes (policy), got ${Math.round(cookie.expires - t0)} s`);
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Lax');
  await ctx.close();
});
