// Scenario: the admin dashboard at https://<auth host>/admin/ in real Chromium. An admin (alice, in
// Finance = admin.adminGroups) signs in through the Entra emulator from /admin/ itself, reads the
// overview, asks the policy tester about bob and payroll, revokes bob's sessions and finds bob's
// next request refused in the access log view. bob, not an admin, is refused the dashboard and
// sent to the app launcher. Screenshots go to test-artifacts/dashboard/ (gitignored).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { Stack } from '../harness/stack.ts';
import {
  accessLogRow, bobOpensTheWiki, fetchFrom, nonAdminIsRefused, revokeAllSessionsOf, shot as shotIn, signIn, startDashboardStory,
  type DashboardStory,
} from './browser-steps.ts';

const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts/dashboard');

const shot = (page: Page, name: string) => shotIn(page, ARTIFACTS, name);

describe('admin dashboard', () => {
  let story: DashboardStory;
  let s: Stack;
  let admin: BrowserContext;
  let bob: BrowserContext;
  let page: Page;

  before(async () => {
    story = await startDashboardStory(ARTIFACTS);
    ({ s, admin, bob } = story);
  });
  after(async () => {
    await story?.close();
  });

  test('bob uses the wiki (traffic and a session for the admin to see)', () => bobOpensTheWiki(story));

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
    // bob's requests reach the store within about a second (batched writes, possibly in more than one
    // batch: CI once read '1'): refresh until all three are counted.
    const allowed = page.locator('.kpi', { hasText: 'Allowed' }).locator('.kpi-value');
    for (let i = 0; i < 20 && (await allowed.innerText()) !== '3'; i++) {
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
    await revokeAllSessionsOf(page, 'bob@contoso.com');
    await shot(page, '4-users-revoked');

    assert.equal(await fetchFrom(bob.pages()[0]!, '/after-revoke'), 'opaqueredirect 0', 'bob is sent back to sign in');

    const row = await accessLogRow(page, 'wiki', '/after-revoke');
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
    const p = await nonAdminIsRefused(story, '/admin/users', (refused) => shot(refused, '6-non-admin-refused'));
    assert.match(await p.locator('body').innerText(), /Wiki/);
    await shot(p, '7-launcher');
    await p.context().close();
  });
});
