// Scenario: the admin dashboard at https://<auth host>/admin/ in real Chromium. An admin (alice, in
// Finance = admin.adminGroups) signs in through the Entra emulator from /admin/ itself, reads the
// overview, asks the policy tester about bob and payroll, revokes bob's sessions and finds bob's
// next request refused in the access log view. bob, not an admin, is refused the dashboard and
// sent to the app launcher. Screenshots go to test-artifacts/dashboard/ (gitignored).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../harness/chromium.ts';
import { startStack, type Stack } from '../harness/stack.ts';

const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts/dashboard');
const FINANCE = 'a1000000-0000-4000-8000-000000000001';

async function shot(page: Page, name: string): Promise<void> {
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot: ${path}`);
}

/** A same-origin fetch from the page (its cookies, Chromium's host rules), not following redirects. */
async function fetchFrom(page: Page, path: string): Promise<string> {
  return page.evaluate(async (p) => {
    const r = await fetch(p, { redirect: 'manual' });
    return `${r.type} ${r.status}`;
  }, path);
}

async function signIn(page: Page, user: string): Promise<void> {
  await page.fill('input[name=username]', `${user}@contoso.com`);
  await page.fill('input[name=password]', user);
  await page.click('button[type=submit]');
}

describe('admin dashboard', () => {
  let s: Stack;
  let browser: Browser;
  let admin: BrowserContext;
  let bob: BrowserContext;
  let page: Page;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    s = await startStack({ extra: { admin: { adminGroups: ['Finance', FINANCE] } } });
    browser = await launchChromium();
    admin = await browser.newContext({ viewport: { width: 1366, height: 800 } });
    bob = await browser.newContext({ viewport: { width: 1366, height: 800 } });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  test('bob uses the wiki (traffic and a session for the admin to see)', async () => {
    const p = await bob.newPage();
    await p.goto(`${s.wikiUrl}/`);
    await signIn(p, 'bob');
    await p.waitForURL(`${s.wikiUrl}/`);
    assert.equal(await fetchFrom(p, '/before-revoke'), 'basic 200');
  });

  test('an admin opening /admin/ without a session signs in and lands on the overview', async () => {
    page = await admin.newPage();
    const errors: string[] = [];
    // Only the dashboard's own errors: the emulator's sign-in page has no favicon.
    page.on('console', (m) => {
      if (m.type() === 'error' && m.location().url.startsWith(s.authUrl))
        errors.push(`${m.text()} @ ${m.location().url}`);
    });
    await page.goto(`${s.authUrl}/admin/`);
    assert.equal(new URL(page.url()).origin, s.emulator.url, 'sent to the identity provider');
    await signIn(page, 'alice');
    await page.waitForURL(`${s.authUrl}/admin/`);
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await page.getByText('Active sessions').waitFor();
    // bob's requests reach the store within about a second (batched writes): refresh until counted.
    const allowed = page.locator('.kpi', { hasText: 'Allowed' }).locator('.kpi-value');
    for (let i = 0; i < 20 && (await allowed.innerText()) === '0'; i++) {
      await page.waitForTimeout(300);
      await page.getByRole('button', { name: 'Refresh' }).click();
    }
    assert.equal(await allowed.innerText(), '3', "bob's three allowed wiki requests");
    assert.match(await page.locator('.kpi', { hasText: 'Active sessions' }).innerText(), /[1-9]/);
    await page.locator('.chart svg rect.fill-ok').first().waitFor();
    assert.match(await page.locator('.side-foot').innerText(), /alice@contoso\.com/);
    await shot(page, '1-overview');
    assert.deepEqual(errors, [], 'no console errors (a CSP violation would be one)');
  });

  test('the apps screen shows the configured apps and policies, marked read-only', async () => {
    await page.getByRole('link', { name: 'Apps & policies' }).click();
    await page.getByRole('heading', { level: 2, name: 'Payroll' }).waitFor();
    assert.match(await page.locator('.notice').innerText(), /Read-only/);
    await shot(page, '2-apps');
  });

  test('the policy tester explains what would happen if bob opened payroll now', async () => {
    await page.getByRole('link', { name: 'Policy tester' }).click();
    await page.getByLabel("User's email").fill('bob@contoso.com');
    await page.getByLabel('Address').fill(`${s.payrollUrl}/`);
    await page.getByText('More facts (optional)').click();
    await page.getByLabel(/^Groups/).fill('Staff');
    await page.getByRole('button', { name: 'Test access' }).click();
    const verdict = page.getByTestId('verdict');
    await verdict.waitFor();
    const text = await verdict.innerText();
    assert.match(text, /Payroll/);
    assert.match(text, /needs auth context c1/, 'bob is Staff but payroll also requires the c1 auth context');
    assert.match(await page.locator('.trace').innerText(), /staff-c1/);
    await shot(page, '3-policy-tester');
  });

  test("revoking bob's sessions ends them; his next request is refused and shows in the access log", async () => {
    await page.getByRole('link', { name: 'Users & sessions' }).click();
    await page.getByLabel("User's email").fill('bob@contoso.com');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.locator('tbody tr', { hasText: 'bob@contoso.com' }).first().waitFor();
    await page.getByRole('button', { name: "Revoke all of bob@contoso.com's sessions" }).click();
    await page.getByRole('button', { name: 'Yes, revoke' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Revoked \d+ sessions? of bob@contoso\.com/ })
      .waitFor();
    await page.getByText('bob@contoso.com has no active session.').waitFor();
    await shot(page, '4-users-revoked');

    assert.equal(await fetchFrom(bob.pages()[0]!, '/after-revoke'), 'opaqueredirect 0', 'bob is sent back to sign in');

    await page.getByRole('link', { name: 'Logs' }).click();
    await page.getByLabel('App').selectOption('wiki');
    const row = page.locator('tbody tr', { hasText: '/after-revoke' });
    // The access log is written in batches (about once a second): search until the row is there.
    for (let i = 0; i < 20 && (await row.count()) === 0; i++) {
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForTimeout(300);
    }
    assert.match(
      await row.innerText(),
      /anonymous[\s\S]*authenticate[\s\S]*302/i,
      'refused: no session any more, sent to sign in',
    );
    assert.match(
      await page.locator('tbody tr', { hasText: '/before-revoke' }).innerText(),
      /bob@contoso\.com[\s\S]*allow/i,
    );
    await shot(page, '5-access-log');

    await page.getByRole('button', { name: 'Admin audit' }).click();
    assert.match(
      await page.locator('tbody tr').first().innerText(),
      /user:alice@contoso\.com[\s\S]*sessions\.revoke[\s\S]*user:bob@contoso\.com/,
    );
  });

  test('a non-admin is refused the dashboard and offered the app launcher', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 800 } });
    const p = await ctx.newPage();
    const first = await p.goto(`${s.authUrl}/admin/users`);
    assert.ok(first);
    await signIn(p, 'bob');
    await p.waitForURL(`${s.authUrl}/admin/users`);
    await p.getByRole('heading', { name: 'The admin dashboard is for administrators' }).waitFor();
    assert.match(await p.locator('main').innerText(), /signed in as bob@contoso\.com/);
    await shot(p, '6-non-admin-refused');
    await p.getByRole('link', { name: 'Open your apps' }).click();
    await p.waitForURL(`${s.authUrl}/`);
    assert.match(await p.locator('body').innerText(), /Wiki/);
    await shot(p, '7-launcher');
    await ctx.close();
  });
});
