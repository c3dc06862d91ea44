// Directory issue, done-when: a deprovisioned user's open browser session is refused on its next
// click. Entra's provisioning (the emulator's client, legacy dialect) pushes the tenant into the
// running server; Alice signs in in Chromium; Entra disables her; her next click is refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { directoryWiring } from '../../src/cli/directory-wiring.ts';
import { createProvisioningClient } from '../../src/dev/entra/provisioning/index.ts';
import { pinnedFetch } from '../../src/dev/pinned-fetch.ts';
import { createScimToken } from '../../src/directory/scim-tokens.ts';
import { launchChromium } from '../harness/chromium.ts';
import { startStack, type Stack } from '../harness/stack.ts';

let s: Stack;
let browser: Browser;
before(async () => {
  s = await startStack({ compose: directoryWiring() });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await s?.close();
});

test('a user disabled in Entra is refused on the next click, in Access, within one provisioning cycle', async () => {
  const { token } = await createScimToken(s.moatless.store, { name: 'entra', directoryName: 'contoso', now: Date.now() });
  const provisioning = createProvisioningClient({ directory: s.emulator.directory, token, scimBaseUrl: `${s.authUrl}/scim/v2`, dialect: 'entra-legacy', fetch: pinnedFetch('127.0.0.1') });
  const initial = await provisioning.runInitialCycle();
  assert.equal(initial.errors, 0);
  assert.ok(initial.created >= 4);

  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${s.wikiUrl}/first`);
  await page.fill('input[name=username]', 'alice@contoso.com');
  await page.fill('input[name=password]', 'alice');
  await page.click('button[type=submit]');
  await page.waitForURL(`${s.wikiUrl}/first`);
  assert.equal((await page.goto(`${s.wikiUrl}/second`))?.status(), 200);

  // Entra: the account is disabled; the next (incremental) cycle sends PATCH active "False".
  s.emulator.directory.setAccountEnabled('alice@contoso.com', false);
  const cycle = await provisioning.runIncrementalCycle();
  assert.equal(cycle.disabled, 1);
  assert.ok(provisioning.log.entries().some((e) => e.method === 'PATCH' && JSON.stringify(e.body ?? '').includes('False')), 'the legacy dialect sent "False"');

  const seenBefore = s.wiki.seen.filter((r) => !r.url.startsWith('/favicon')).length;
  await page.goto(`${s.wikiUrl}/third`);
  await page.waitForLoadState('networkidle');
  assert.notEqual(new URL(page.url()).host, new URL(s.wikiUrl).host, 'the click did not stay on the wiki');
  assert.equal(s.wiki.seen.filter((r) => !r.url.startsWith('/favicon')).length, seenBefore, 'the wiki never saw the request');
  // Signing in again does not help: Entra refuses the disabled account (AADSTS50057).
  assert.match((await page.textContent('body')) ?? '', /Sign in|AADSTS50057|disabled/i);
  await ctx.close();
});
