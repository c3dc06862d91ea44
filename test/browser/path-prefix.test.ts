// Two apps on one host, one at the root and one under /wiki: each signs in, keeps its own cookie
// (scoped to its path) and serves its /.moatless endpoints under its own mount point.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../harness/chromium.ts';
import { startStack, type Stack } from '../harness/stack.ts';

let s: Stack;
let browser: Browser;
const STAFF = ['Staff', 'a1000000-0000-4000-8000-000000000002'];

before(async () => {
  s = await startStack({
    apps: (site, wiki) => [
      { id: 'site', hosts: ['intranet.localtest.me'], upstream: site, policies: [{ name: 'staff', action: 'allow', include: [{ group: STAFF }] }] },
      { id: 'wiki', hosts: ['intranet.localtest.me/wiki'], upstream: wiki, policies: [{ name: 'finance', action: 'allow', include: [{ group: ['Finance', 'a1000000-0000-4000-8000-000000000001'] }] }] },
    ],
  });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await s?.close();
});

test('an app under a path prefix signs in and keeps a cookie of its own', async () => {
  const base = `http://intranet.localtest.me:${s.port}`;
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${base}/wiki/page`);
  await page.fill('input[name=username]', 'alice@contoso.com');
  await page.fill('input[name=password]', 'alice');
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}/wiki/page`);
  assert.ok(s.payroll.seen.some((r) => r.url === '/wiki/page'), 'the /wiki app (second upstream) received the request');
  const identity = await (await page.goto(`${base}/wiki/.moatless/identity`))!.json();
  assert.equal(identity.app, 'wiki');
  const cookies = await ctx.cookies();
  const wikiCookie = cookies.find((c) => c.name === 'moatless_session_wiki');
  assert.equal(wikiCookie?.path, '/wiki');

  // The root app is a separate app: a silent hand-off from the existing sign-in, its own cookie.
  await page.goto(`${base}/home`);
  await page.waitForURL(`${base}/home`);
  const home = s.wiki.seen.find((r) => r.url === '/home');
  assert.ok(home, 'the root app (first upstream) received /home');
  assert.doesNotMatch(String(home.headers.cookie ?? ''), /moatless/, 'neither session cookie reaches the origin');
  await ctx.close();
});

test('bob (Staff, not Finance) reaches the root app but not /wiki on the same host', async () => {
  const base = `http://intranet.localtest.me:${s.port}`;
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${base}/`);
  await page.fill('input[name=username]', 'bob@contoso.com');
  await page.fill('input[name=password]', 'bob');
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}/`);
  const before = s.payroll.seen.length;
  await page.goto(`${base}/wiki/`);
  await page.waitForLoadState('networkidle');
  assert.match((await page.textContent('body')) ?? '', /Access denied/);
  assert.equal(s.payroll.seen.length, before);
  await ctx.close();
});
