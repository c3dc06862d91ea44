// Scenario: the dashboard's management screens in real Chromium (one browser, one stack). An admin
// signs in through the Entra emulator, creates a SCIM token, an admin API token and a connector
// token (each secret shown once, with a copy button), revokes them after confirming; creates, sees and deletes an
// identity provider (moatless.yaml's stays read-only); and reorders an app's policies with the
// keyboard — saved with If-Match, with a clear message when someone changed one meanwhile.
// Screenshots go to test-artifacts/dashboard-manage/ (gitignored).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createAdminToken } from '../../src/admin/index.ts';
import { launchChromium } from '../harness/chromium.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { FINANCE, shot, signIn } from './browser-steps.ts';
import { call } from './helpers.ts';

const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts/dashboard-manage');
const SECRET_ENV = 'MOATLESS_IDP_UI_OKTA_SECRET';

describe('dashboard: tokens, identity providers, policy order', () => {
  let s: Stack;
  let browser: Browser;
  let page: Page;
  let api: string;
  let write: Record<string, string>;
  const errors: string[] = [];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    process.env[SECRET_ENV] = 'okta-ui-secret';
    s = await startStack({ extra: { admin: { adminGroups: ['Finance', FINANCE] } } });
    api = `${s.authUrl}/api/v1`;
    write = { authorization: `Bearer ${(await createAdminToken(s.moatless.store, { name: 'setup', scope: 'write', expiresInMs: 86_400_000, now: Date.now() })).token}` };
    // An API app with three policies, in creation order: first, second, third.
    assert.equal((await call(s.browser(), `${api}/apps`, { method: 'POST', headers: write, body: { id: 'crm', name: 'CRM', hosts: ['crm.localtest.me'], upstream: 'http://127.0.0.1:9' } })).status, 201);
    for (const name of ['first', 'second', 'third']) {
      const r = await call(s.browser(), `${api}/policies`, { method: 'POST', headers: write, body: { app: 'crm', name, action: 'allow', include: [{ group: name }] } });
      assert.equal(r.status, 201, JSON.stringify(r.json));
    }
    // The clipboard API needs a secure context: the loopback auth origin is treated as one.
    browser = await launchChromium({ args: [`--unsafely-treat-insecure-origin-as-secure=${s.authUrl}`] });
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 800 } });
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: s.authUrl });
    page = await ctx.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' && m.location().url.startsWith(s.authUrl)) errors.push(`${m.text()} @ ${m.location().url}`);
    });
    await page.goto(`${s.authUrl}/admin/`);
    await signIn(page, 'alice');
    await page.waitForURL(`${s.authUrl}/admin/`);
  });
  after(async () => {
    await browser?.close();
    await s?.close();
    delete process.env[SECRET_ENV];
  });

  // Page-side reads (the test's own types have no DOM).
  const clipboard = () => page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText());
  const focused = () => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } | null } }).document.activeElement?.getAttribute('aria-label'));
  const served = async () => ((await call(s.browser(), `${api}/apps/crm`, { headers: write })).json['policies'] as { name: string }[]).map((p) => p.name);

  test('tokens: the secret is shown once with a copy button; revoke asks first, then stops the token', async () => {
    await page.click('nav >> text=Tokens');
    await page.fill('form[aria-label="New SCIM token"] input[name=name]', 'entra-ui');
    await page.click('text=Create SCIM token');
    const secret = (await page.locator('.secret-once code[data-secret]').textContent())!;
    assert.match(secret, /^mlscim_[A-Za-z0-9_-]{43}$/);
    await page.click('text=Copy token');
    await page.locator('text=Copied.').waitFor();
    assert.equal(await clipboard(), secret);
    await shot(page, ARTIFACTS, 'tokens-created');
    await page.click('text=Done, hide it');
    assert.equal(await page.locator('code[data-secret]').count(), 0, 'the secret is gone from the page');
    assert.equal((await s.browser().get(`${s.authUrl}/scim/v2/Users`, { headers: { authorization: `Bearer ${secret}` } })).status !== 401, true);

    await page.click('[aria-label="Revoke SCIM token entra-ui"]');
    await page.click('text=Yes, revoke');
    await page.locator('text=SCIM token entra-ui revoked.').waitFor();
    const row = (await s.moatless.store.directory.tokens.list()).find((t) => t.name === 'entra-ui');
    assert.notEqual(row?.revokedAt, null);

    await page.fill('form[aria-label="New admin API token"] input[name=name]', 'grafana');
    await page.selectOption('form[aria-label="New admin API token"] select[name=scope]', 'read');
    await page.fill('form[aria-label="New admin API token"] input[name=days]', '14');
    await page.click('text=Create admin API token');
    const adminSecret = (await page.locator('.secret-once code[data-secret]').textContent())!;
    assert.match(adminSecret, /^mla_/);
    const me = await call(s.browser(), `${api}/me`, { headers: { authorization: `Bearer ${adminSecret}` } });
    assert.equal(me.json['canWrite'], false, 'scope read, as chosen');
    await page.click('text=Done, hide it');
    await page.click('[aria-label="Revoke admin API token grafana"]');
    await page.click('text=Yes, revoke');
    await page.locator('text=Admin API token grafana revoked.').waitFor();
    assert.equal((await call(s.browser(), `${api}/me`, { headers: { authorization: `Bearer ${adminSecret}` } })).status, 401);

    // Connector tokens: the same form with the tunnel as its own field.
    await page.fill('form[aria-label="New connector token"] input[name=name]', 'branch-ui');
    await page.fill('form[aria-label="New connector token"] input[name=tunnel]', 'intranet');
    await page.click('text=Create connector token');
    const tunnelSecret = (await page.locator('.secret-once code[data-secret]').textContent())!;
    assert.match(tunnelSecret, /^mlt_[A-Za-z0-9_-]{43}$/);
    await page.click('text=Done, hide it');
    assert.deepEqual((await s.moatless.store.tunnels.tokens.list()).map((t) => [t.name, t.tunnel, t.revokedAt]), [['branch-ui', 'intranet', null]]);
    await page.click('[aria-label="Revoke connector token branch-ui"]');
    await page.click('text=Yes, revoke');
    await page.locator('text=Connector token branch-ui revoked.').waitFor();
    assert.notEqual((await s.moatless.store.tunnels.tokens.list())[0]?.revokedAt, null);
  });

  test('identity providers: the file\'s is read-only; one created here is edited with If-Match, and deleted after confirming once no app offers it', async () => {
    await page.click('nav >> text=Identity providers');
    await page.locator('h2:has-text("Contoso")').or(page.locator('h2:has-text("entra")')).first().waitFor();
    assert.equal(await page.locator('button:has-text("Edit identity provider entra")').count(), 0, 'moatless.yaml\'s provider cannot be edited');
    await page.click('text=New identity provider');
    await page.fill('input[name=id]', 'okta');
    await page.fill('input[name=displayName]', 'Okta UI');
    await page.fill('input[name=issuer]', `${s.emulator.url}/issuer-for-ui`);
    await page.fill('input[name=clientId]', 'okta-ui-client');
    await page.fill('input[name=secretEnv]', SECRET_ENV);
    await page.click('text=Create identity provider');
    await page.locator('text=Saved identity provider okta.').waitFor();
    await page.locator('h2:has-text("Okta UI")').waitFor();
    await shot(page, ARTIFACTS, 'identity-providers');
    const view = await call(s.browser(), `${api}/identity-providers/okta`, { headers: write });
    assert.equal(view.json['source'], 'api');
    assert.ok(!view.body.includes('okta-ui-secret'));

    // Edited through the form: saved with the ETag it read.
    await page.click('button:has-text("Edit identity provider okta")');
    await page.fill('input[name=displayName]', 'Okta Workforce');
    await page.click('text=Save identity provider');
    await page.locator('h2:has-text("Okta Workforce")').waitFor();
    assert.equal((await call(s.browser(), `${api}/identity-providers/okta`, { headers: write })).headers['etag'], '"v2"');

    // While an app offers it, the delete is refused and the page says which app.
    const app = await call(s.browser(), `${api}/apps`, { method: 'POST', headers: write, body: { id: 'hr', hosts: ['hr.localtest.me'], upstream: 'http://127.0.0.1:9', identityProviders: ['okta'] } });
    assert.equal(app.status, 201, JSON.stringify(app.json));
    await page.click('nav >> text=Tokens');
    await page.click('nav >> text=Identity providers');
    await page.click('[aria-label="Delete identity provider okta"]');
    await page.click('text=Yes, delete');
    await page.locator('[role=alert]:has-text("used by app \\"hr\\"")').waitFor();
    assert.equal((await call(s.browser(), `${api}/apps/hr`, { method: 'DELETE', headers: { ...write, 'if-match': '"v1"' } })).status, 200);
    await page.click('text=Yes, delete');
    await page.locator('text=Deleted identity provider okta.').waitFor();
    assert.equal((await call(s.browser(), `${api}/identity-providers/okta`, { headers: write })).status, 404);
  });

  test('policy order: moved with the keyboard, saved, focus kept; a stale order says to reload', async () => {
    await page.click('nav >> text=Apps & policies');
    const up = page.locator('[aria-label="Move policy third up"]');
    await up.focus();
    await page.keyboard.press('Enter');
    await page.locator('text=Moved policy third to position 2.').waitFor();
    assert.deepEqual(await served(), ['first', 'third', 'second']);
    assert.equal(await focused(), 'Move policy third up', 'focus stays on the moved policy');
    await page.keyboard.press('Enter');
    await page.locator('text=Moved policy third to position 1.').waitFor();
    assert.deepEqual(await served(), ['third', 'first', 'second']);
    assert.equal(await focused(), 'Move policy third down', 'at the top, focus goes to its other control');
    await shot(page, ARTIFACTS, 'policy-order');

    // Someone else changes "first" after the page read it: the page's If-Match is stale.
    const first = ((await call(s.browser(), `${api}/apps/crm`, { headers: write })).json['policies'] as { id: string; name: string; etag: string }[]).find((p) => p.name === 'first')!;
    assert.equal((await call(s.browser(), `${api}/policies/${first.id}`, { method: 'PATCH', headers: { ...write, 'if-match': first.etag }, body: { sessionDuration: '2h' } })).status, 200);
    await page.click('[aria-label="Move policy first up"]');
    await page.locator('text=Someone else saved a change since you opened this').waitFor();
    assert.deepEqual(await served(), ['third', 'first', 'second'], 'nothing was overwritten');
    assert.deepEqual(errors.filter((e) => !/status of (409|412)/.test(e)), [], 'no console errors but the refusals the steps provoke');
  });
});
