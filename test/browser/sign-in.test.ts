// Done-when of the Foundation and Entra issues, in a real browser: sign in through the Entra emulator
// to the wiki, get stepped up with auth context c1 on payroll and reach it; a user who fails the
// simulated Conditional Access is refused payroll but keeps the wiki.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../harness/chromium.ts';
import { startStack, type Stack } from '../harness/stack.ts';

async function signIn(page: Page, user: string, password: string): Promise<void> {
  await page.waitForSelector('input[name=username]');
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
}

describe('sign-in in Chromium through the Entra emulator', () => {
  let s: Stack;
  let browser: Browser;
  before(async () => {
    s = await startStack();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  test('alice reaches the wiki, is stepped up with c1 on payroll, and keeps the wiki', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${s.wikiUrl}/docs`);
    await signIn(page, 'alice@contoso.com', 'alice');
    await page.waitForURL(`${s.wikiUrl}/docs`);
    const seen = JSON.parse((await page.textContent('body')) ?? '{}');
    assert.equal(seen.headers['x-remote-user'], 'alice@contoso.com');

    await page.goto(`${s.payrollUrl}/salaries`);
    // Conditional Access for c1: the emulator's second-factor page, then back to payroll.
    await page.click('button[name=approve]');
    await page.waitForURL(`${s.payrollUrl}/salaries`);
    assert.ok(s.payroll.seen.some((r) => r.url === '/salaries'), 'payroll received the request');
    const identity = await (await page.goto(`${s.payrollUrl}/.moatless/identity`))!.json();
    assert.deepEqual(identity.acrs, ['c1']);

    const wiki = await page.goto(`${s.wikiUrl}/again`);
    assert.equal(wiki?.status(), 200);
    assert.equal(new URL(page.url()).host, new URL(s.wikiUrl).host);
    await ctx.close();
  });

  test('bob (non-compliant device) is refused payroll with a clear reason but keeps the wiki', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${s.wikiUrl}/`);
    await signIn(page, 'bob@contoso.com', 'bob');
    await page.waitForURL(`${s.wikiUrl}/`);
    const before = s.payroll.seen.length;
    await page.goto(`${s.payrollUrl}/`);
    const approve = await page.$('button[name=approve]');
    if (approve) await approve.click();
    // Entra shows its own AADSTS53000 page first; its button returns to us with error=access_denied.
    await page.waitForSelector('text=AADSTS53000');
    await page.click('text=Back to the application');
    await page.waitForURL((u) => u.host === new URL(s.authUrl).host);
    const text = (await page.textContent('body')) ?? '';
    assert.match(text, /Sign-in failed/);
    assert.match(text, /AADSTS53000|compliant/i);
    assert.equal(s.payroll.seen.length, before, 'payroll never saw bob');
    const wiki = await page.goto(`${s.wikiUrl}/still-here`);
    assert.equal(wiki?.status(), 200, 'the wiki session survives the failed step-up');
    await ctx.close();
  });

  test('a user outside the policy is refused by the app after signing in (no redirect loop)', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${s.wikiUrl}/`);
    await signIn(page, 'erin@contoso.com', 'erin');
    await page.waitForLoadState('networkidle');
    assert.match((await page.textContent('body')) ?? '', /Access denied/);
    assert.equal(new URL(page.url()).host, new URL(s.authUrl).host);
    await ctx.close();
  });
});
