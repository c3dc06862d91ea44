// Sign-in end to end over HTTPS in Chromium: Secure cookies, the __Host- prefixed app session, and
// the hand-off binding cookie all have to be accepted by a real browser for this to pass.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startEntraEmulator, type EntraEmulator } from '../../src/dev/entra/index.ts';
import { launchChromium } from '../harness/chromium.ts';
import { freePort } from '../harness/ports.ts';
import { FIXTURE, startStack, type Stack } from '../harness/stack.ts';

let s: Stack;
let emulator: EntraEmulator;
let browser: Browser;
let dir: string;
let port: number;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'moatless-tls-browser-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localtest.me',
    '-addext', 'subjectAltName=DNS:*.localtest.me', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  port = await freePort();
  emulator = await startEntraEmulator({ fixturePath: FIXTURE, port: 0, extraRedirectUris: [`https://auth.localtest.me:${port}/oauth2/callback`] });
  s = await startStack({
    emulator, port,
    extra: { server: { listeners: [{ address: `127.0.0.1:${port}`, tls: { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') } }], authUrl: `https://auth.localtest.me:${port}`, shutdownGrace: '1s' } },
  });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await s?.close();
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('over HTTPS the browser signs in, holds a Secure __Host- session cookie, and reaches the app', async () => {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await ctx.newPage();
  const wiki = `https://wiki.localtest.me:${port}`;
  await page.goto(`${wiki}/secure`);
  await page.fill('input[name=username]', 'alice@contoso.com');
  await page.fill('input[name=password]', 'alice');
  await page.click('button[type=submit]');
  await page.waitForURL(`${wiki}/secure`);
  const seen = JSON.parse((await page.textContent('body')) ?? '{}');
  assert.equal(seen.headers['x-forwarded-proto'], 'https');
  const cookies = await ctx.cookies();
  const app = cookies.find((c) => c.name === '__Host-moatless_session');
  assert.ok(app, `cookies: ${cookies.map((c) => c.name).join(', ')}`);
  assert.equal(app.secure, true);
  assert.equal(app.path, '/');
  assert.equal(app.httpOnly, true);
  const auth = cookies.find((c) => c.name === 'moatless_auth');
  assert.equal(auth?.secure, true);
  await ctx.close();
});
