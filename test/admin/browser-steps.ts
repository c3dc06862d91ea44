// Steps the Chromium dashboard stories share: the cast (a stack, Chromium, an admin and bob), signing
// in on the Entra emulator's page, revoking, reading the access log, the non-admin's refusal, and
// screenshots kept as test artifacts (test-artifacts/, gitignored).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchChromium } from '../harness/chromium.ts';
import { startStack, type Stack } from '../harness/stack.ts';

/** The Entra emulator's Finance group (alice is in it): the admin group of these stories. */
export const FINANCE = 'a1000000-0000-4000-8000-000000000001';

export async function shot(page: Page, dir: string, name: string): Promise<void> {
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot: ${path}`);
}

/** A same-origin fetch from the page (its cookies, Chromium's host rules), not following redirects. */
export async function fetchFrom(page: Page, path: string): Promise<string> {
  return page.evaluate(async (p) => {
    const r = await fetch(p, { redirect: 'manual' });
    return `${r.type} ${r.status}`;
  }, path);
}

export async function signIn(page: Page, user: string): Promise<void> {
  await page.fill('input[name=username]', `${user}@contoso.com`);
  await page.fill('input[name=password]', user);
  await page.click('button[type=submit]');
}

/** The cast of the dashboard stories: a stack whose admins are Finance (alice), Chromium, and two browsers. */
export interface DashboardStory { s: Stack; browser: Browser; admin: BrowserContext; bob: BrowserContext; close(): Promise<void> }

export async function startDashboardStory(artifacts: string): Promise<DashboardStory> {
  mkdirSync(artifacts, { recursive: true });
  const s = await startStack({ extra: { admin: { adminGroups: ['Finance', FINANCE] } } });
  const browser = await launchChromium();
  const context = () => browser.newContext({ viewport: { width: 1366, height: 800 } });
  const [admin, bob] = [await context(), await context()];
  return { s, browser, admin, bob, async close() { await browser.close(); await s.close(); } };
}

/** bob signs in to the wiki and makes a request: traffic, and a session for the admin to revoke. */
export async function bobOpensTheWiki(st: DashboardStory): Promise<void> {
  const p = await st.bob.newPage();
  await p.goto(`${st.s.wikiUrl}/`);
  await signIn(p, 'bob');
  await p.waitForURL(`${st.s.wikiUrl}/`);
  assert.equal(await fetchFrom(p, '/before-revoke'), 'basic 200');
}

/** On the Users screen: revoke every session of `email`, confirmed; waits for the list to be empty. */
export async function revokeAllSessionsOf(page: Page, email: string): Promise<void> {
  await page.getByRole('link', { name: 'Users & sessions' }).click();
  await page.getByLabel("User's email").fill(email);
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.locator('tbody tr', { hasText: email }).first().waitFor();
  await page.getByRole('button', { name: `Revoke all of ${email}'s sessions` }).click();
  await page.getByRole('button', { name: 'Yes, revoke' }).click();
  await page.getByRole('status').filter({ hasText: new RegExp(`Revoked \\d+ sessions? of ${email.replaceAll('.', '\\.')}`) }).waitFor();
  await page.getByText(`${email} has no active session.`).waitFor();
}

/** On the Logs screen: the access-log row of `app` whose path is `path` (written in batches: searched until there). */
export async function accessLogRow(page: Page, app: string, path: string): Promise<Locator> {
  await page.getByRole('link', { name: 'Logs' }).click();
  await page.getByLabel('App').selectOption(app);
  const row = page.locator('tbody tr', { hasText: path });
  for (let i = 0; i < 20 && (await row.count()) === 0; i++) {
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForTimeout(300);
  }
  return row;
}

/** bob opens a dashboard address, signs in, is refused, follows the link to his apps; returns the launcher page. */
export async function nonAdminIsRefused(st: DashboardStory, path: string, shootRefusal: (page: Page) => Promise<void>): Promise<Page> {
  const ctx = await st.browser.newContext({ viewport: { width: 1366, height: 800 } });
  const p = await ctx.newPage();
  await p.goto(`${st.s.authUrl}${path}`);
  await signIn(p, 'bob');
  await p.waitForURL(`${st.s.authUrl}${path}`);
  await p.getByRole('heading', { name: 'The admin dashboard is for administrators' }).waitFor();
  assert.match(await p.locator('main').innerText(), /signed in as bob@contoso\.com/);
  await shootRefusal(p);
  await p.getByRole('link', { name: 'Open your apps' }).click();
  await p.waitForURL(`${st.s.authUrl}/`);
  return p;
}
